import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { serverUrl, uniqueChannel, waitFor } from './support/server.js';

function client(user, network = new TestNetwork(), options = {}) {
  return new TandemClient({
    url: serverUrl, user, WebSocket: network.WebSocket, backoff: { baseDelay: 20, maxDelay: 200 }, ...options,
  }).connect();
}

const ids = (presence) => presence.members.get().map((m) => m.id);

/** A stand-in for a browser window: activity events on it, and a document whose visibility the test sets. */
function fakeWindow() {
  const window = new EventTarget();
  window.document = new EventTarget();
  window.document.visibilityState = 'visible';
  window.navigator = { onLine: true };
  return window;
}

test('two users who join a channel see each other, state updates and leaves, live', async () => {
  const name = uniqueChannel();
  const alice = client('alice').presence(name);
  const bob = client('bob').presence(name);
  const first = await alice.join({ name: 'Alice', color: '#f80' });
  assert.deepEqual(first.map((m) => m.id), ['alice']);
  const seen = await bob.join({ name: 'Bob' });
  assert.deepEqual(seen.map((m) => m.name), ['Alice', 'Bob']);
  assert.equal(bob.member('alice').state.color, '#f80');
  await waitFor(() => ids(alice).length === 2, 'alice sees bob join');

  bob.update({ name: 'Bob', cursor: { x: 3, y: 4 } });
  await waitFor(() => alice.member('bob')?.state?.cursor?.x === 3, 'alice sees bob\'s new state');

  bob.leave();
  assert.equal(bob.status.get(), 'offline');
  assert.deepEqual(ids(bob), []);
  await waitFor(() => ids(alice).join() === 'alice', 'alice sees bob leave');
});

test('after a dropped connection presence joins again by itself, with the same state', async () => {
  const name = uniqueChannel();
  const network = new TestNetwork();
  const alice = client('alice', network).presence(name);
  const bob = client('bob').presence(name);
  await alice.join({ name: 'Alice', mood: 'sunny' });
  await bob.join({ name: 'Bob' });

  const leaves = [];
  bob.on('leave', (member) => leaves.push(member.id));
  network.down();
  await waitFor(() => leaves.includes('alice'), 'the server to drop alice\'s presence with her connection', 15000);
  network.up();
  await waitFor(() => bob.member('alice')?.state?.mood === 'sunny', 'alice back, with her state');
  await waitFor(() => ids(alice).join() === 'alice,bob', 'alice\'s own list refreshed by the rejoin');
});

test('the status turns away while the page is hidden or idle, and online again on activity', async () => {
  const name = uniqueChannel();
  const window = fakeWindow();
  const alice = client('alice', new TestNetwork(), { environment: window }).presence(name, { awayAfter: 300 });
  const bob = client('bob').presence(name);
  await alice.join({ name: 'Alice' });
  await bob.join({ name: 'Bob' });
  assert.equal(alice.status.get(), 'online');

  window.document.visibilityState = 'hidden';
  window.document.dispatchEvent(new Event('visibilitychange'));
  assert.equal(alice.status.get(), 'away');
  await waitFor(() => bob.member('alice')?.status === 'away', 'bob sees alice away (hidden page)');

  window.document.visibilityState = 'visible';
  window.document.dispatchEvent(new Event('visibilitychange'));
  await waitFor(() => bob.member('alice')?.status === 'online', 'bob sees alice back');

  await waitFor(() => alice.status.get() === 'away', 'alice idle for awayAfter');
  await waitFor(() => bob.member('alice')?.status === 'away', 'bob sees alice away (idle)');
  window.dispatchEvent(new Event('keydown'));
  assert.equal(alice.status.get(), 'online');
  await waitFor(() => bob.member('alice')?.status === 'online', 'bob sees alice active again');
});

test('presence heartbeats while joined, at the interval asked for', async () => {
  const network = new TestNetwork();
  const alice = client('alice', network).presence(uniqueChannel(), { heartbeatInterval: 100 });
  await alice.join({ name: 'Alice' });
  await waitFor(() => network.sentOfType('presence:heartbeat').length >= 3, 'three heartbeats');
  alice.leave();
  const count = network.sentOfType('presence:heartbeat').length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(network.sentOfType('presence:heartbeat').length, count, 'no heartbeat after leave');
  assert.equal(network.sentOfType('presence:leave').length, 1);
});

test('in a crowded channel the members give way to counts, and come back once it shrinks', async () => {
  // The test server's `crowd` namespace: stats mode above 2 users, back to member events at 1.
  const name = uniqueChannel('crowd');
  const alice = client('alice').presence(name);
  const bob = client('bob').presence(name);
  const carol = client('carol').presence(name);
  await alice.join({ name: 'Alice' });
  await bob.join({ name: 'Bob' });
  await waitFor(() => ids(alice).join() === 'alice,bob', 'alice sees bob as a member');

  const crowded = await carol.join({ name: 'Carol' });
  assert.deepEqual(crowded, []);
  assert.deepEqual(carol.counts.get(), { users: 3, connections: 3 });
  await waitFor(() => alice.counts.get()?.users === 3, 'alice gets the counts');
  assert.deepEqual(ids(alice), []);

  carol.leave();
  bob.leave();
  await waitFor(() => alice.counts.get() === null && ids(alice).join() === 'alice', 'alice gets the list back');
});
