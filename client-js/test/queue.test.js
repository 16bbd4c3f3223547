import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { next, serverUrl, uniqueChannel, waitFor } from './support/server.js';

function client(network, options = {}) {
  return new TandemClient({
    url: serverUrl,
    user: 'queue',
    WebSocket: network.WebSocket,
    backoff: { baseDelay: 20, maxDelay: 100 },
    ...options,
  });
}

test('commands issued while disconnected are queued and sent in order once the connection is back', async () => {
  const network = new TestNetwork();
  const tandem = client(network).connect();
  const channel = tandem.channel(uniqueChannel());
  const seen = [];
  channel.subscribe((publication) => seen.push(publication.payload.text));
  await next(channel, 'subscribed');

  network.down();
  await waitFor(() => tandem.status.get() === 'reconnecting', 'status reconnecting');
  const acks = ['one', 'two', 'three'].map((text) => channel.publish({ text }));
  assert.equal(tandem.queued, 3);
  network.up();

  const seqs = (await Promise.all(acks)).map((ack) => ack.payload.seq);
  assert.deepEqual(seqs, [1, 2, 3]);
  await waitFor(() => seen.length === 3, 'the queued publications coming back on the subscription');
  assert.deepEqual(seen, ['one', 'two', 'three']);
  assert.equal(tandem.queued, 0);
  tandem.close();
});

test('commands issued before the first connection are queued too', async () => {
  const network = new TestNetwork();
  const tandem = client(network);
  const name = uniqueChannel();
  const ack = tandem.channel(name).publish({ early: true });
  tandem.connect();
  assert.equal((await ack).payload.seq, 1);
  tandem.close();
});

test('the offline queue is bounded: a command beyond the bound fails at once with queue_full', async () => {
  const network = new TestNetwork();
  network.down();
  const tandem = client(network, { maxQueue: 2 }).connect();
  const channel = tandem.channel(uniqueChannel());
  const first = channel.publish({ n: 1 });
  const second = channel.publish({ n: 2 });
  await assert.rejects(channel.publish({ n: 3 }), { code: 'queue_full' });
  await assert.rejects(channel.publish({ n: 4 }, { queue: false }), { code: 'offline' });
  network.up();
  assert.deepEqual([(await first).payload.seq, (await second).payload.seq], [1, 2]);
  tandem.close();
});

test('a command without a reply in time fails with timeout and the connection stays usable', async () => {
  const network = new TestNetwork();
  const tandem = client(network, { heartbeatInterval: 60000 }).connect();
  await tandem.whenOpen();
  let swallow = true;
  network.inbound = (frame) => (swallow && frame.type === 'history' ? [] : [frame]);
  const channel = tandem.channel(uniqueChannel());
  await assert.rejects(channel.history({}, { timeout: 200 }), { code: 'timeout' });
  swallow = false;
  const page = await channel.history();
  assert.deepEqual(page.publications, []);
  assert.equal(tandem.status.get(), 'open');
  tandem.close();
});

test('a server error rejects the command with the server code and does not disturb the connection', async () => {
  const network = new TestNetwork();
  const tandem = client(network).connect();
  await tandem.whenOpen();
  await assert.rejects(tandem.channel('not a valid name!').publish({}), { code: 'bad_request' });
  assert.equal(tandem.status.get(), 'open');
  assert.equal(network.attempts.length, 1);
  tandem.close();
});

test('a command in flight when the connection drops fails with disconnected unless it is safe to resend (history, publish with clientMsgId)', async () => {
  const network = new TestNetwork();
  const tandem = client(network, { heartbeatInterval: 60000 }).connect();
  await tandem.whenOpen();
  network.inbound = (frame) => (frame.type === 'ack' || frame.type === 'history' ? [] : [frame]);
  const channel = tandem.channel(uniqueChannel());
  const publish = channel.publish({ n: 1 });
  const history = channel.history();
  const keyed = channel.publish({ n: 2 }, { clientMsgId: 'm-2' });
  const stored = async () => (await fetch(`${serverUrl}/api/channels/${encodeURIComponent(channel.name)}/history`)
    .then((response) => response.json())).publications;
  await waitFor(async () => (await stored()).length === 2, 'both publishes reaching the server (their acks are swallowed)');
  network.inbound = (frame) => [frame];
  network.down();
  network.up();
  await assert.rejects(publish, { code: 'disconnected' });
  const page = await history;
  assert.deepEqual(page.publications.map((p) => p.seq).slice(0, 2), [1, 2], 'history was resent on the new connection');
  const resent = await keyed;
  assert.ok(resent.payload.seq >= 2, 'the publish with a clientMsgId was resent on the new connection and acknowledged');
  const ones = (await stored()).filter((p) => p.payload.n === 1);
  assert.equal(ones.length, 1, 'the publish without a clientMsgId was not resent');
  tandem.close();
});
