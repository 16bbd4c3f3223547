import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { next, serverUrl, uniqueChannel, waitFor } from './support/server.js';

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
  // Alice is back online for only awayAfter before idling away again: a poll on a loaded machine could miss that
  // window, the update events cannot.
  const seen = [];
  bob.on('update', (member) => { if (member.id === 'alice') seen.push(member.status); });

  window.document.visibilityState = 'hidden';
  window.document.dispatchEvent(new Event('visibilitychange'));
  assert.equal(alice.status.get(), 'away');
  await waitFor(() => bob.member('alice')?.status === 'away', 'bob sees alice away (hidden page)');

  window.document.visibilityState = 'visible';
  window.document.dispatchEvent(new Event('visibilitychange'));
  await waitFor(() => seen.includes('online'), 'bob sees alice back');

  await waitFor(() => alice.status.get() === 'away', 'alice idle for awayAfter');
  await waitFor(() => seen.lastIndexOf('away') > seen.indexOf('online'), 'bob sees alice away (idle)');
  assert.equal(bob.member('alice')?.status, 'away');
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

// ---- presence:diff (the server's batch of member events under load, docs/presence.md) ----------------------

/** The entries of `list` ('joins', 'updates' or 'leaves') a member event carries, single or batched. */
function entries(frame, list) {
  if (frame.type === 'presence:diff') return frame.payload[list];
  const single = { joins: 'presence:join', updates: 'presence:update', leaves: 'presence:leave' }[list];
  return frame.type === single ? [frame.payload] : [];
}

function diff(channel, { joins = [], updates = [], leaves = [] }) {
  return { type: 'presence:diff', channel, timestamp: Date.now(), payload: { joins, updates, leaves } };
}

test('a presence:diff changes the member list once and still emits a join per member', async () => {
  const name = uniqueChannel();
  const network = new TestNetwork();
  // Whatever the server sends (single joins, or diffs of its own), alice gets the three joins as one diff.
  const held = [];
  network.inbound = (frame) => {
    if (frame.channel !== name || frame.requestId != null || !entries(frame, 'joins').length) return [frame];
    held.push(...entries(frame, 'joins'));
    return held.length < 3 ? [] : [diff(name, { joins: held.splice(0) })];
  };
  const alice = client('alice', network).presence(name);
  await alice.join({ name: 'Alice' });
  const lists = [];
  alice.members.subscribe((list) => lists.push(list.map((m) => m.id).join()));
  const joins = [];
  alice.on('join', (member) => joins.push(member.id));

  for (const user of ['bob', 'carol', 'dave']) await client(user).presence(name).join({ name: user });

  await waitFor(() => ids(alice).length === 4, 'alice sees the three joins');
  assert.deepEqual(lists, ['alice', 'alice,bob,carol,dave']);
  assert.deepEqual(joins, ['bob', 'carol', 'dave']);
  assert.equal(alice.member('carol').state.name, 'carol');
});

test('our own leave inside a presence:diff joins again, like a single presence:leave', async () => {
  const name = uniqueChannel();
  const network = new TestNetwork();
  let injected = false;
  // Bob's update reaches alice in a diff that also says her own entry expired. (The server may have merged it
  // with bob's join into one `joins` entry, if both fell into its batch window.)
  network.inbound = (frame) => {
    if (frame.channel !== name || frame.requestId != null) return [frame];
    const joins = entries(frame, 'joins');
    const updates = entries(frame, 'updates');
    if (injected || ![...joins, ...updates].some((m) => m.state?.cursor === 9)) return [frame];
    injected = true;
    return [diff(name, { joins, updates, leaves: [{ id: 'alice', status: 'offline', lastSeen: Date.now() }] })];
  };
  const alice = client('alice', network).presence(name);
  const bob = client('bob').presence(name);
  await alice.join({ name: 'Alice' });
  await bob.join({ name: 'Bob' });
  const leaves = [];
  alice.on('leave', (gone) => leaves.push(gone.id));

  bob.update({ name: 'Bob', cursor: 9 });

  await waitFor(() => injected && network.sentOfType('presence:join').length === 2, 'alice to join again');
  await waitFor(() => ids(alice).join() === 'alice,bob', 'alice listed again by the rejoin\'s sync');
  assert.deepEqual(leaves, ['alice']);
  assert.equal(alice.member('bob').state.cursor, 9);
});

test('in stats mode a presence:diff\'s joins are emitted but not listed, as single joins are', async () => {
  const name = uniqueChannel('crowd'); // stats mode above 2 users
  const network = new TestNetwork();
  let injected = false;
  // The counts broadcast for carol's join is followed by a diff naming someone new.
  network.inbound = (frame) => {
    const broadcast = frame.channel === name && frame.type === 'presence:stats' && frame.requestId == null;
    if (injected || !broadcast) return [frame];
    injected = true;
    const erin = { id: 'erin', name: 'Erin', status: 'online', lastSeen: Date.now(), state: {}, connections: [] };
    return [frame, diff(name, { joins: [erin] })];
  };
  const alice = client('alice', network).presence(name);
  await alice.join({ name: 'Alice' });
  await client('bob').presence(name).join({ name: 'Bob' });
  const joins = [];
  alice.on('join', (member) => joins.push(member.id));

  await client('carol').presence(name).join({ name: 'Carol' });

  await waitFor(() => joins.includes('erin'), 'alice hears erin join');
  assert.deepEqual(ids(alice), []);
  assert.equal(alice.counts.get().users, 3);
});

test('users who join and leave together reach a watcher in presence:diff batches, each listed and heard', async () => {
  const name = uniqueChannel();
  const network = new TestNetwork();
  const diffs = [];
  network.inbound = (frame) => {
    if (frame.type === 'presence:diff' && frame.channel === name) diffs.push(frame);
    return [frame];
  };
  const alice = client('alice', network).presence(name);
  await alice.join({ name: 'Alice' });
  const heard = { join: [], leave: [] };
  alice.on('join', (member) => heard.join.push(member.id));
  alice.on('leave', (gone) => heard.leave.push(gone.id));
  const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  const clients = users.map((user) => client(user));
  // Subscribed beforehand, each join is one command: they land within the server's batch window (20 ms).
  await Promise.all(clients.map((c) => {
    const channel = c.channel(name);
    channel.subscribe(() => {});
    return next(channel, 'subscribed');
  }));
  const crowd = clients.map((c) => c.presence(name));

  await Promise.all(crowd.map((presence, i) => presence.join({ name: users[i] })));
  await waitFor(() => ids(alice).length === users.length + 1, 'alice lists everyone');
  assert.ok(diffs.some((d) => d.payload.joins.length > 1), 'the server batched the joins into a diff');
  assert.deepEqual([...heard.join].sort(), users);

  for (const presence of crowd) presence.leave();
  await waitFor(() => ids(alice).join() === 'alice', 'alice sees everyone leave');
  assert.ok(diffs.some((d) => d.payload.leaves.length > 1), 'the server batched the leaves into a diff');
  assert.deepEqual([...heard.leave].sort(), users);
});
