import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { next, publishViaApi, serverUrl, uniqueChannel, waitFor } from './support/server.js';

async function subscribed(network, name) {
  const tandem = new TandemClient({ url: serverUrl, user: 'ordering', WebSocket: network.WebSocket }).connect();
  const channel = tandem.channel(name);
  const seen = [];
  channel.subscribe((publication) => seen.push(publication.seq));
  await next(channel, 'subscribed');
  return { tandem, channel, seen };
}

test('a publication lost on the wire is fetched with history and delivered in order', async () => {
  const network = new TestNetwork();
  const name = uniqueChannel();
  network.inbound = (frame) => (frame.type === 'publication' && frame.seq === 3 ? [] : [frame]);
  const { tandem, channel, seen } = await subscribed(network, name);
  for (let i = 1; i <= 5; i++) await publishViaApi(name, { n: i });
  await waitFor(() => seen.length === 5, 'five publications');
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(channel.stats.gapFills, 1);
  tandem.close();
});

test('a gap wider than one history page is filled page by page', async () => {
  const network = new TestNetwork();
  const name = uniqueChannel();
  network.inbound = (frame) => (frame.type === 'publication' && frame.seq >= 2 && frame.seq <= 150 ? [] : [frame]);
  const { tandem, seen } = await subscribed(network, name);
  await Promise.all(Array.from({ length: 151 }, (_, i) => publishViaApi(name, { n: i })));
  await waitFor(() => seen.length === 151, '151 publications');
  assert.deepEqual(seen, Array.from({ length: 151 }, (_, i) => i + 1));
  tandem.close();
});

test('a publication delivered twice is handed to the app once', async () => {
  const network = new TestNetwork();
  const name = uniqueChannel();
  network.inbound = (frame) => (frame.type === 'publication' && frame.seq === 2 ? [frame, frame] : [frame]);
  const { tandem, channel, seen } = await subscribed(network, name);
  for (let i = 1; i <= 3; i++) await publishViaApi(name, { n: i });
  await waitFor(() => seen.length === 3, 'three publications');
  await publishViaApi(name, { n: 4 });
  await waitFor(() => seen.length === 4, 'a fourth publication');
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(channel.stats.duplicates, 1);
  tandem.close();
});

test('publications arriving out of order are reordered before delivery', async () => {
  const network = new TestNetwork();
  const name = uniqueChannel();
  let held = null;
  network.inbound = (frame) => {
    if (frame.type === 'publication' && frame.seq === 2) {
      held = frame;
      return [];
    }
    if (frame.type === 'publication' && frame.seq === 3 && held) return [frame, held];
    return [frame];
  };
  const { tandem, seen } = await subscribed(network, name);
  for (let i = 1; i <= 4; i++) await publishViaApi(name, { n: i });
  await waitFor(() => seen.length === 4, 'four publications');
  assert.deepEqual(seen, [1, 2, 3, 4]);
  tandem.close();
});
