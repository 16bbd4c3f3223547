import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventSource } from 'eventsource';
import {
  longPollingTransport, shortPollingTransport, sseTransport, streamTransport,
} from '../src/index.js';
import { TandemClient } from './support/tracked-client.js';
import { TestHttpNetwork } from './support/http-network.js';
import { TestNetwork } from './support/network.js';
import { next, publishViaApi, serverUrl, uniqueChannel, waitFor } from './support/server.js';

const HTTP_TRANSPORTS = {
  sse: (fetch) => sseTransport({ fetch }),
  stream: (fetch) => streamTransport({ fetch }),
  'long-polling': (fetch) => longPollingTransport({ fetch }),
  'short-polling': (fetch) => shortPollingTransport({ fetch, maxIdleDelay: 500 }),
};

for (const [name, make] of Object.entries(HTTP_TRANSPORTS)) {
  test(`over ${name} the client subscribes, publishes, reads history, and after a cut resumes every missed publication once, in order`, async () => {
    const network = new TestHttpNetwork();
    const tandem = new TandemClient({
      url: serverUrl, user: `via-${name}`, transports: [make(network.fetch)], backoff: { baseDelay: 20, maxDelay: 200 },
    }).connect();
    await tandem.whenOpen();
    assert.equal(tandem.transport, name);
    assert.equal(tandem.connection.userId, `via-${name}`);

    const channel = tandem.channel(uniqueChannel());
    const seen = [];
    channel.subscribe((publication) => seen.push(publication.payload.n));
    await next(channel, 'subscribed');
    const ack = await channel.publish({ n: 1 });
    assert.equal(ack.payload.seq, 1);
    for (let n = 2; n <= 3; n++) await publishViaApi(channel.name, { n });
    await waitFor(() => seen.length === 3, 'three live publications');
    const page = await channel.history({ after: 0 });
    assert.deepEqual(page.publications.map((p) => p.payload.n), [1, 2, 3]);

    network.down();
    await waitFor(() => tandem.status.get() === 'reconnecting', 'status reconnecting');
    for (let n = 4; n <= 8; n++) await publishViaApi(channel.name, { n });
    const resumed = next(channel, 'subscribed');
    network.up();
    const info = await resumed;
    assert.equal(info.recovered, true);
    await waitFor(() => seen.length === 8, 'the five missed publications');
    await channel.publish({ n: 9 });
    await waitFor(() => seen.length === 9, 'a live publication after the resume');
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(channel.stats.unrecovered, 0);
    tandem.close();
  });
}

test('given an EventSource class (the browser path), SSE runs on it and a cut is resumed by the client, not by EventSource', async () => {
  const network = new TestHttpNetwork();
  const opened = [];
  class CuttableEventSource extends EventSource {
    constructor(url) {
      super(url, { fetch: network.fetch });
      opened.push(url);
    }
  }
  const tandem = new TandemClient({
    url: serverUrl, user: 'via-eventsource', backoff: { baseDelay: 20, maxDelay: 200 },
    transports: [sseTransport({ EventSource: CuttableEventSource, fetch: network.fetch })],
  });
  let retries = 0;
  tandem.on('retry', () => retries++);
  tandem.connect();
  await tandem.whenOpen();
  const channel = tandem.channel(uniqueChannel());
  const seen = [];
  channel.subscribe((publication) => seen.push(publication.payload.n));
  await next(channel, 'subscribed');
  await publishViaApi(channel.name, { n: 1 });
  await waitFor(() => seen.length === 1, 'a live publication');

  network.down();
  await waitFor(() => tandem.status.get() === 'reconnecting', 'status reconnecting');
  await publishViaApi(channel.name, { n: 2 });
  await publishViaApi(channel.name, { n: 3 });
  network.up();
  await waitFor(() => seen.length === 3, 'the missed publications');
  await channel.publish({ n: 4 });
  await waitFor(() => seen.length === 4, 'a publication by POST');
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(opened.length, retries + 1, 'one EventSource per attempt of the client: EventSource never reconnected by itself');
  tandem.close();
});

test('commands sent in a burst over an HTTP transport arrive in order, batched into few POSTs', async () => {
  const network = new TestHttpNetwork();
  const tandem = new TandemClient({ url: serverUrl, user: 'burst', transports: [sseTransport({ fetch: network.fetch })] }).connect();
  await tandem.whenOpen();
  const channel = tandem.channel(uniqueChannel());
  const seen = [];
  channel.subscribe((publication) => seen.push(publication.payload.n));
  await next(channel, 'subscribed');
  const acks = await Promise.all(Array.from({ length: 50 }, (_, n) => channel.publish({ n })));
  assert.deepEqual(acks.map((ack) => ack.payload.seq), Array.from({ length: 50 }, (_, n) => n + 1));
  await waitFor(() => seen.length === 50, 'fifty publications');
  assert.deepEqual(seen, Array.from({ length: 50 }, (_, n) => n));
  const posts = network.requests.filter((r) => r.method === 'POST').length;
  assert.ok(posts < 50, `50 commands took ${posts} POSTs`);
  tandem.close();
});

test('a command the server refuses by HTTP status (too large) fails alone, and the session goes on', async () => {
  const tandem = new TandemClient({ url: serverUrl, user: 'big', transports: ['sse'] }).connect();
  await tandem.whenOpen();
  const connectionId = tandem.connection.connectionId;
  const channel = tandem.channel(uniqueChannel());
  await assert.rejects(channel.publish({ blob: 'x'.repeat(70000) }), { code: 'too_large' });
  const ack = await channel.publish({ small: true });
  assert.equal(ack.payload.seq, 1);
  assert.equal(tandem.connection.connectionId, connectionId, 'the same session');
  tandem.close();
});

test('short polling backs off while idle, doubling the pause up to its cap', async () => {
  const network = new TestHttpNetwork();
  const tandem = new TandemClient({
    url: serverUrl, user: 'idle', transports: [shortPollingTransport({ fetch: network.fetch, idleDelay: 50, maxIdleDelay: 400 })],
  }).connect();
  await tandem.whenOpen();
  await waitFor(() => network.gets('/poll').length >= 8, 'eight polls', 15000);
  const polls = network.gets('/poll');
  // Poll 1 opens the session (connected), poll 2 answers at once; from poll 2 on, every empty answer pauses.
  const gaps = polls.slice(2, 8).map((poll, i) => poll.at - polls[i + 1].at);
  const pauses = [50, 100, 200, 400, 400, 400];
  gaps.forEach((gap, i) => assert.ok(gap >= pauses[i] - 5, `pause ${i + 1} was ${gap} ms, at least ${pauses[i]}`));
  assert.ok(polls.every((poll) => new URL(poll.url).searchParams.get('wait') === '0'));
  tandem.close();
});

test('by default the client tries WebSocket, then SSE, then HTTP streaming, then long polling', async () => {
  const ws = new TestNetwork();
  const http = new TestHttpNetwork();
  ws.down();
  http.down();
  const tandem = new TandemClient({
    url: serverUrl, user: 'order', WebSocket: ws.WebSocket, fetch: http.fetch, backoff: { baseDelay: 5, maxDelay: 20 }, transportFailures: 1,
  });
  const fallbacks = [];
  tandem.on('fallback', (f) => fallbacks.push(`${f.from}>${f.to}`));
  tandem.connect();
  await waitFor(() => fallbacks.length >= 4, 'a full round of fallbacks');
  assert.deepEqual(fallbacks.slice(0, 4), ['websocket>sse', 'sse>stream', 'stream>long-polling', 'long-polling>websocket']);
  tandem.close();
});

test('the order is configurable by name', async () => {
  const tandem = new TandemClient({ url: serverUrl, user: 'named', transports: ['stream', 'sse'] }).connect();
  await tandem.whenOpen();
  assert.equal(tandem.transport, 'stream');
  assert.throws(() => new TandemClient({ url: serverUrl, transports: ['carrier-pigeon'] }), /unknown transport 'carrier-pigeon'/);
  tandem.close();
});

test('when WebSocket is blocked the client falls back to SSE, and a switch in the middle loses and repeats nothing', async () => {
  const ws = new TestNetwork();
  const tandem = new TandemClient({
    url: serverUrl, user: 'switch', WebSocket: ws.WebSocket, transports: ['websocket', 'sse'],
    backoff: { baseDelay: 10, maxDelay: 50 }, transportFailures: 2,
  }).connect();
  await tandem.whenOpen();
  assert.equal(tandem.transport, 'websocket');
  const channel = tandem.channel(uniqueChannel());
  const seen = [];
  channel.subscribe((publication) => seen.push(publication.seq));
  await next(channel, 'subscribed');
  for (let n = 1; n <= 3; n++) await publishViaApi(channel.name, { n });
  await waitFor(() => seen.length === 3, 'live publications on WebSocket');

  const fallback = next(tandem, 'fallback');
  ws.down(); // from now on every WebSocket handshake fails: a proxy that breaks upgrades
  for (let n = 4; n <= 10; n++) await publishViaApi(channel.name, { n });
  assert.deepEqual(await fallback, { from: 'websocket', to: 'sse' });
  await tandem.whenOpen();
  await waitFor(() => seen.length === 10, 'the missed publications over SSE');
  await channel.publish({ n: 11 });
  await waitFor(() => seen.length === 11, 'a live publication over SSE');
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(tandem.transport, 'sse');
  assert.equal(channel.stats.unrecovered, 0);
  tandem.close();
});

test('a refused HTTP handshake carries the server\'s reason, and an unauthorized one is final like on WebSocket', async () => {
  const tandem = new TandemClient({ url: serverUrl, user: 'not a valid user!', transports: ['sse'], backoff: { baseDelay: 20 } });
  const errors = [];
  tandem.on('error', (error) => errors.push(error));
  const disconnected = next(tandem, 'disconnected');
  tandem.connect();
  const info = await disconnected;
  assert.deepEqual(info, { code: 4003, reason: "'user' must be 1 to 64 characters from A-Z a-z 0-9 _ . @ -", reconnect: false });
  assert.equal(tandem.status.get(), 'closed');
  assert.equal(errors[0]?.code, 'closed');
});
