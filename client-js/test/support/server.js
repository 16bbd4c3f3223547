/**
 * The real Tandem server the tests talk to: its base URL comes from TANDEM_URL (the JUnit runner
 * ClientJsTest starts a server and sets it; by hand: `./tandem --port 8090 --config client-js/test/tandem-test.yaml`
 * then `TANDEM_URL=http://127.0.0.1:8090 npm test`). The server must have the `tiny` namespace with a history
 * of 3 (see tandem-test.yaml) for the recovered:false tests, and the `crowd` namespace (presence stats mode above
 * 2 users) for the crowded-channel test. The load-shedding tests also need a second server
 * that takes one connection and one subscription only, at TANDEM_CAPPED_URL (ClientJsTest starts it; by hand:
 * `TANDEM_LIMITS_MAX_CONNECTIONS=1 TANDEM_LIMITS_MAX_SUBSCRIPTIONS=1 ./tandem --port 8091 --data-dir /tmp/tandem-capped`).
 */
import assert from 'node:assert/strict';

export const serverUrl = process.env.TANDEM_URL;
assert.ok(serverUrl, 'TANDEM_URL must point at a running Tandem server in dev mode (see test/support/server.js)');
/** A dev server with `limits.maxConnections: 1` and `limits.maxSubscriptions: 1`; asserted by the tests that use it. */
export const cappedServerUrl = process.env.TANDEM_CAPPED_URL;

let counter = 0;
/** A channel name no other test (or test run) uses: `namespace:run-N`. */
export function uniqueChannel(namespace = 'test') {
  return `${namespace}:${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

/** Publishes through the HTTP server API; resolves with the seq. */
export async function publishViaApi(channel, payload) {
  const response = await fetch(`${serverUrl}/api/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel, payload }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, `publish failed: ${JSON.stringify(body)}`);
  return body.seq;
}

/** Resolves when `predicate()` is true, polling; rejects with `message` after `timeout` ms. */
export async function waitFor(predicate, message, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the next value `emitter.on(event)` reports (optionally the first matching `accept`). */
export function next(emitter, event, accept = () => true, timeout = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`no '${event}' within ${timeout} ms`)); }, timeout);
    const stop = emitter.on(event, (value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });
}
