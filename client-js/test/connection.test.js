import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, webSocketTransport } from '../src/index.js';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { next, serverUrl, uniqueChannel, waitFor } from './support/server.js';

test('backoff ceilings double from 1 s to a 30 s cap and the delay is a full-jitter draw under the ceiling', () => {
  const top = new Backoff({ random: () => 0.999999 });
  const ceilings = Array.from({ length: 8 }, () => top.next() + 1);
  assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  const half = new Backoff({ random: () => 0.5 });
  assert.deepEqual([half.next(), half.next(), half.next()], [500, 1000, 2000]);
  const jitter = new Backoff();
  const draws = Array.from({ length: 200 }, () => { jitter.reset(); return jitter.next(); });
  assert.ok(draws.every((d) => d >= 0 && d < 1000), 'every first delay is in [0, 1000)');
  assert.ok(new Set(draws).size > 100, 'delays are spread, not synchronised');
  top.reset();
  assert.equal(top.next(), 999);
});

test('while the server is unreachable the client retries on the backoff schedule, then resets it after a stable connection', async () => {
  const network = new TestNetwork();
  network.down();
  const tandem = new TandemClient({
    url: serverUrl, user: 'backoff', WebSocket: network.WebSocket,
    backoff: { baseDelay: 40, maxDelay: 320, random: () => 0.999 }, stableAfter: 300,
  });
  const retries = [];
  tandem.on('retry', (retry) => retries.push(retry));
  tandem.connect();
  await waitFor(() => retries.length >= 6, 'six retries');
  assert.deepEqual(retries.slice(0, 6).map((r) => r.delay), [39, 79, 159, 319, 319, 319]);
  const gaps = network.attempts.slice(1, 6).map((a, i) => a.at - network.attempts[i].at);
  gaps.forEach((gap, i) => assert.ok(gap >= retries[i].delay - 5, `attempt ${i + 1} waited ${gap} ms, at least its delay ${retries[i].delay}`));
  assert.equal(tandem.status.get(), 'connecting', 'never opened yet: still connecting');

  network.up();
  await tandem.whenOpen();
  await new Promise((resolve) => setTimeout(resolve, 400));
  retries.length = 0;
  network.down();
  await waitFor(() => retries.length >= 1, 'a retry after the drop');
  assert.equal(retries[0].attempt, 0, 'a connection open longer than stableAfter resets the backoff');
  assert.equal(retries[0].delay, 39);
  network.up();
  tandem.close();
});

test('status goes connecting, open, reconnecting, open, closed', async () => {
  const network = new TestNetwork();
  const tandem = new TandemClient({ url: serverUrl, user: 'status', WebSocket: network.WebSocket, backoff: { baseDelay: 20 } });
  const statuses = [];
  tandem.status.subscribe((status) => statuses.push(status));
  tandem.connect();
  await tandem.whenOpen();
  network.down();
  await waitFor(() => tandem.status.get() === 'reconnecting', 'reconnecting');
  network.up();
  await tandem.whenOpen();
  tandem.close();
  assert.deepEqual(statuses, ['closed', 'connecting', 'open', 'reconnecting', 'open', 'closed']);
});

test('the browser going offline drops the connection and coming back online reconnects at once', async () => {
  const network = new TestNetwork();
  const environment = new EventTarget();
  environment.navigator = { onLine: true };
  const tandem = new TandemClient({
    url: serverUrl, user: 'online', WebSocket: network.WebSocket, environment, backoff: { baseDelay: 60000, maxDelay: 60000 },
  }).connect();
  await tandem.whenOpen();
  environment.navigator.onLine = false;
  environment.dispatchEvent(new Event('offline'));
  assert.equal(tandem.status.get(), 'offline');
  await waitFor(() => network.open.length === 0, 'the socket closed');
  environment.navigator.onLine = true;
  environment.dispatchEvent(new Event('online'));
  await tandem.whenOpen();
  assert.equal(network.attempts.length, 2, 'reconnected without waiting for the 60 s backoff');
  tandem.close();
});

test('a connection that stops delivering frames is detected by the heartbeat and replaced', async () => {
  const network = new TestNetwork();
  const tandem = new TandemClient({
    url: serverUrl, user: 'heartbeat', WebSocket: network.WebSocket,
    heartbeatInterval: 150, heartbeatTimeout: 400, backoff: { baseDelay: 20 },
  }).connect();
  await tandem.whenOpen();
  const first = network.sockets[0];
  network.inbound = (frame, socket) => (socket === first ? [] : [frame]);
  const dropped = next(tandem, 'disconnected');
  assert.equal((await dropped).code, 4000);
  await waitFor(() => tandem.status.get() === 'open' && network.attempts.length >= 2, 'a second connection');
  await waitFor(() => first.readyState === 3, 'the dead connection closed');
  tandem.close();
});

test('a disconnect with reconnect false closes the client for good', async () => {
  const network = new TestNetwork();
  const tandem = new TandemClient({
    url: serverUrl, user: 'not a valid user!', WebSocket: network.WebSocket, backoff: { baseDelay: 20 },
  });
  const errors = [];
  tandem.on('error', (error) => errors.push(error));
  const disconnected = next(tandem, 'disconnected');
  tandem.connect();
  const info = await disconnected;
  assert.equal(info.code, 4003);
  assert.equal(info.reconnect, false);
  assert.match(info.reason, /user/);
  assert.equal(tandem.status.get(), 'closed');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(network.attempts.length, 1, 'no reconnect attempt');
  assert.equal(errors[0]?.code, 'closed');
  await assert.rejects(tandem.channel('x:y').publish({}), { code: 'closed' });
});

test('when the first transport cannot connect the client falls back to the next one and works', async () => {
  const network = new TestNetwork();
  const tandem = new TandemClient({
    url: serverUrl, user: 'fallback', backoff: { baseDelay: 10 }, transportFailures: 2,
    transports: [
      webSocketTransport({ WebSocket: network.WebSocket, path: '/blocked', name: 'blocked' }),
      webSocketTransport({ WebSocket: network.WebSocket }),
    ],
  });
  const fallbacks = [];
  tandem.on('fallback', (f) => fallbacks.push(f));
  tandem.connect();
  await tandem.whenOpen();
  assert.deepEqual(fallbacks, [{ from: 'blocked', to: 'websocket' }]);
  assert.equal(tandem.transport, 'websocket');
  const ack = await tandem.channel(uniqueChannel()).publish({ via: 'fallback' });
  assert.equal(ack.payload.seq, 1);
  tandem.close();
});

test('a token provider is asked for a token before every connection attempt', async () => {
  const network = new TestNetwork();
  let calls = 0;
  const tandem = new TandemClient({
    url: serverUrl, user: 'tokens', WebSocket: network.WebSocket, backoff: { baseDelay: 20 },
    getToken: async () => `t${++calls}`,
  }).connect();
  await tandem.whenOpen();
  network.down();
  network.up();
  await waitFor(() => network.attempts.length === 2 && tandem.status.get() === 'open', 'the reconnect');
  assert.equal(calls, 2);
  assert.match(network.attempts[1].url, /[?&]token=t2(&|$)/);
  tandem.close();
});

test('without a WebSocket implementation the client connects over the HTTP transports, and asking for WebSocket says what to pass', async () => {
  const global = globalThis.WebSocket;
  delete globalThis.WebSocket;
  try {
    assert.throws(() => new TandemClient({ url: serverUrl, transports: ['websocket'] }), { name: 'TypeError', message: /pass one.*ws package/ });
    const tandem = new TandemClient({ url: serverUrl, user: 'no-websocket' }).connect();
    await tandem.whenOpen();
    assert.equal(tandem.transport, 'sse');
    tandem.close();
  } finally {
    if (global) globalThis.WebSocket = global;
  }
});
