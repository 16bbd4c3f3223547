import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, sseTransport, webSocketTransport } from '../src/index.js';
import { TandemClient } from './support/tracked-client.js';
import { TestHttpNetwork } from './support/http-network.js';
import { TestNetwork } from './support/network.js';
import { cappedServerUrl, next, serverUrl, waitFor } from './support/server.js';

assert.ok(cappedServerUrl, 'TANDEM_CAPPED_URL must point at a dev server with limits.maxConnections and maxSubscriptions 1 (see test/support/server.js)');

/** Takes the capped server's one connection (it also holds one subscription only); returns the client holding it. */
async function holdTheOnlySlot() {
  const holder = new TandemClient({ url: cappedServerUrl, user: 'holder', transports: ['sse'] }).connect();
  await holder.whenOpen();
  return holder;
}

test('a WebSocket refused with 1013 at capacity comes back no sooner than the server\'s retryAfter, jittered on top', async () => {
  const holder = await holdTheOnlySlot();
  const network = new TestNetwork();
  const tandem = new TandemClient({
    url: cappedServerUrl, user: 'late', WebSocket: network.WebSocket, backoff: { baseDelay: 50, maxDelay: 100 },
  });
  const disconnected = next(tandem, 'disconnected');
  const retry = next(tandem, 'retry');
  tandem.connect();
  const info = await disconnected;
  const refusedAt = Date.now();
  assert.equal(info.code, 1013);
  assert.equal(info.reconnect, true);
  assert.equal(info.retryAfter, 2000, 'the server\'s hint from the disconnect frame');
  const { delay, retryAfter } = await retry;
  assert.equal(retryAfter, 2000);
  assert.ok(delay >= 2000 && delay <= 2100, `delay ${delay} is the hint plus at most the backoff's jitter`);

  holder.close(); // frees the slot: the next attempt gets in
  await tandem.whenOpen();
  assert.equal(network.attempts.length, 2, 'one refused attempt, then one that got in');
  assert.ok(network.attempts[1].at - refusedAt >= 1900, 'the second attempt waited for the hint, not the 50 ms backoff');
});

test('an HTTP transport refused with 503 honours Retry-After the same way (as a 1013)', async () => {
  const holder = await holdTheOnlySlot();
  const http = new TestHttpNetwork();
  const tandem = new TandemClient({
    url: cappedServerUrl, user: 'late-sse', transports: [sseTransport({ fetch: http.fetch })], backoff: { baseDelay: 50, maxDelay: 100 },
  });
  const disconnected = next(tandem, 'disconnected');
  const retry = next(tandem, 'retry');
  tandem.connect();
  const info = await disconnected;
  assert.equal(info.code, 1013);
  assert.equal(info.retryAfter, 2000);
  assert.ok((await retry).delay >= 2000);
  holder.close();
  await tandem.whenOpen();
  const handshakes = http.requests.filter((r) => r.method === 'GET');
  assert.equal(handshakes.length, 2);
  assert.ok(handshakes[1].at - handshakes[0].at >= 1900, 'the second handshake waited for Retry-After');
  assert.equal(tandem.transport, 'sse', 'a refusal at capacity is not the transport\'s fault: no fallback');
});

test('an error frame\'s retryAfter holds back the reconnect after a drop, and is on the TandemError', async () => {
  const tandem = new TandemClient({ url: cappedServerUrl, user: 'hinted', transports: ['sse'], backoff: { baseDelay: 10, maxDelay: 20 } });
  tandem.connect();
  await tandem.whenOpen();
  await tandem.request({ type: 'subscribe', channel: 'test:hint-1' }); // the capped server holds one subscription
  const refusal = await tandem.request({ type: 'subscribe', channel: 'test:hint-2' }).then(() => null, (error) => error);
  assert.equal(refusal?.code, 'unavailable');
  assert.equal(refusal.retryAfter, 1000);
  const retry = next(tandem, 'retry');
  tandem._drop('cut right after the refusal');
  const { delay, retryAfter } = await retry;
  assert.ok(retryAfter > 500 && retryAfter <= 1000, `what is left of the hint: ${retryAfter}`);
  assert.ok(delay >= retryAfter, `delay ${delay} >= hint ${retryAfter}`);
  await tandem.whenOpen();
});

test('a transport whose endpoint keeps refusing is open-circuited: skipped straight to the next until its cool-down passes', async () => {
  const network = new TestNetwork();
  let blockedOpens = 0;
  const refused = webSocketTransport({ WebSocket: network.WebSocket, path: '/refused', name: 'refused' });
  const counting = { name: 'refused', open: (context) => { blockedOpens++; return refused.open(context); } };
  const tandem = new TandemClient({
    url: serverUrl, user: 'circuit', transports: [counting, 'sse'], transportFailures: 2, transportCooldown: 1500,
    backoff: { baseDelay: 10, maxDelay: 20 },
  });
  const fallbacks = [];
  tandem.on('fallback', (f) => fallbacks.push(`${f.from}>${f.to}`));
  tandem.connect();
  await tandem.whenOpen();
  const circuitOpenedAt = Date.now();
  assert.equal(tandem.transport, 'sse');
  assert.equal(blockedOpens, 2, 'two failures open the circuit');
  assert.deepEqual(fallbacks, ['refused>sse']);

  for (let i = 0; i < 3; i++) {
    const reconnected = next(tandem, 'connected');
    tandem._drop('test cut');
    await reconnected;
  }
  assert.equal(blockedOpens, 2, 'while the circuit is open reconnects go straight to sse');
  assert.equal(tandem.transport, 'sse');

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, circuitOpenedAt + 1600 - Date.now())));
  const reconnected = next(tandem, 'connected');
  tandem._drop('test cut after the cool-down');
  await reconnected;
  assert.equal(blockedOpens, 3, 'after the cool-down the refused transport gets one try (half-open)');
  assert.equal(tandem.transport, 'sse', 'its one failure opened the circuit again at once');
  assert.deepEqual(fallbacks, ['refused>sse', 'refused>sse']);
});

test('a server hint is a floor under the backoff\'s jitter, which still spreads a crowd', () => {
  const values = [0, 0.5, 0.999];
  const delays = values.map((r) => new Backoff({ baseDelay: 1000, random: () => r }).next(2000));
  assert.deepEqual(delays, [2000, 2500, 2999]);
  assert.equal(new Backoff({ baseDelay: 1000, random: () => 0.5 }).next(), 500, 'no hint: plain full jitter');
});
