import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { next, publishViaApi, serverUrl, uniqueChannel, waitFor } from './support/server.js';

function client(network, options = {}) {
  return new TandemClient({
    url: serverUrl,
    user: 'recovery',
    WebSocket: network.WebSocket,
    backoff: { baseDelay: 20, maxDelay: 200 },
    ...options,
  });
}

test('a client cut off from the server resumes with since and gets every missed publication once, in order', async () => {
  const network = new TestNetwork();
  const tandem = client(network).connect();
  const channel = tandem.channel(uniqueChannel());
  const seen = [];
  channel.subscribe((publication) => seen.push(publication.seq));
  await next(channel, 'subscribed');
  for (let i = 1; i <= 3; i++) await publishViaApi(channel.name, { n: i });
  await waitFor(() => seen.length === 3, 'three live publications');

  network.down();
  await waitFor(() => tandem.status.get() === 'reconnecting', 'status reconnecting');
  for (let i = 4; i <= 8; i++) await publishViaApi(channel.name, { n: i });
  const resumed = next(channel, 'subscribed');
  network.up();

  assert.deepEqual(await resumed, { seq: 8, epoch: channel.position.epoch, recovered: true, resumed: true });
  await waitFor(() => seen.length === 8, 'the five missed publications');
  await publishViaApi(channel.name, { n: 9 });
  await waitFor(() => seen.length === 9, 'a live publication after the resume');
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(channel.stats.unrecovered, 0);
  tandem.close();
});

test('recovered false is surfaced when the missed publications are no longer in history, and live delivery goes on', async () => {
  const network = new TestNetwork();
  const tandem = client(network).connect();
  const channel = tandem.channel(uniqueChannel('tiny'));
  const seen = [];
  const lost = [];
  channel.on('unrecovered', (info) => lost.push(info));
  channel.subscribe((publication) => seen.push(publication.payload.n));
  await next(channel, 'subscribed');
  await publishViaApi(channel.name, { n: 1 });
  await waitFor(() => seen.length === 1, 'the first publication');

  network.down();
  for (let i = 2; i <= 7; i++) await publishViaApi(channel.name, { n: i });
  const resumed = next(channel, 'subscribed');
  network.up();

  const info = await resumed;
  assert.equal(info.recovered, false);
  assert.equal(info.resumed, true);
  assert.equal(info.seq, 7);
  assert.equal(lost.length, 1);
  assert.deepEqual({ reason: lost[0].reason, since: lost[0].since.seq, seq: lost[0].seq },
    { reason: 'resume', since: 1, seq: 7 });
  await publishViaApi(channel.name, { n: 8 });
  await waitFor(() => seen.length === 2, 'the live publication after the reset');
  assert.deepEqual(seen, [1, 8], 'missed publications are not invented; the app reloads on unrecovered');
  tandem.close();
});

test('a subscription given a stored position resumes from it on the first connect', async () => {
  const name = uniqueChannel();
  for (let i = 1; i <= 4; i++) await publishViaApi(name, { n: i });
  const history = await fetch(`${serverUrl}/api/channels/${encodeURIComponent(name)}/history`).then((r) => r.json());
  const network = new TestNetwork();
  const tandem = client(network).connect();
  const seen = [];
  tandem.channel(name).subscribe((publication) => seen.push(publication.seq), { since: { seq: 2, epoch: history.epoch } });
  await waitFor(() => seen.length === 2, 'publications after the stored position');
  assert.deepEqual(seen, [3, 4]);
  tandem.close();
});
