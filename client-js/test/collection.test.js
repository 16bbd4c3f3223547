import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePatch } from '../src/index.js';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { serverUrl, waitFor } from './support/server.js';

let counter = 0;
const uniqueCollection = () => `tasks${process.pid}x${Date.now().toString(36)}x${++counter}`;

function client(user, network = new TestNetwork()) {
  return new TandemClient({ url: serverUrl, user, WebSocket: network.WebSocket, backoff: { baseDelay: 20, maxDelay: 200 } }).connect();
}

/** Writes through the REST API as the back end (dev mode: no API key needed). */
async function rest(method, path, body) {
  const response = await fetch(`${serverUrl}/api/collections/${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const titles = (collection) => collection.records.get().map((r) => r.data.title);

test('merge patches follow RFC 7396', () => {
  assert.deepEqual(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
  assert.deepEqual(mergePatch({ a: [1] }, { a: [2, 3] }), { a: [2, 3] });
  assert.deepEqual(mergePatch({ a: 1 }, { b: { c: null } }), { a: 1, b: {} });
  assert.equal(mergePatch({ a: 1 }, 'x'), 'x');
});

test('a collection loads the stored records and follows creates, updates and deletes made elsewhere', async () => {
  const name = uniqueCollection();
  const first = await rest('POST', name, { data: { title: 'one' } });
  const tasks = client('alice').collection(name);
  await tasks.ready();
  assert.deepEqual(titles(tasks), ['one']);

  const second = await rest('POST', name, { data: { title: 'two' } });
  await waitFor(() => titles(tasks).join() === 'one,two', 'a record created elsewhere');
  await rest('PATCH', `${name}/${first.id}`, { baseVersion: 1, patch: { title: 'one!' } });
  await waitFor(() => titles(tasks).join() === 'one!,two', 'an update made elsewhere');
  await rest('DELETE', `${name}/${second.id}`);
  await waitFor(() => titles(tasks).join() === 'one!', 'a delete made elsewhere');
  assert.equal(tasks.get(first.id).version, 2);
});

test('a create shows at once under a temporary id, pending, then becomes the server\'s record', async () => {
  const name = uniqueCollection();
  const alice = client('alice');
  const mine = alice.collection(name);
  const theirs = client('bob').collection(name);
  await Promise.all([mine.ready(), theirs.ready()]);
  const replaced = [];
  mine.on('replaced', (r) => replaced.push(r));

  const creating = mine.create({ title: 'write tests' });
  const shown = mine.records.get();
  assert.equal(shown.length, 1);
  assert.match(shown[0].id, /^tmp_/);
  assert.equal(shown[0].pending, true);
  const record = await creating;
  assert.equal(record.version, 1);
  assert.deepEqual(replaced, [{ tempId: shown[0].id, id: record.id }]);
  assert.deepEqual(mine.records.get().map((r) => [r.id, r.pending]), [[record.id, undefined]]);
  await waitFor(() => theirs.get(record.id)?.data.title === 'write tests', 'bob sees the new record');
});

test('update, patch and delete apply at once, pending, and settle on the server\'s versions', async () => {
  const name = uniqueCollection();
  const tasks = client('alice').collection(name);
  await tasks.ready();
  const record = await tasks.create({ title: 'a', done: false, tags: { x: 1 } });

  const updating = tasks.update(record.id, { title: 'b', done: false, tags: { x: 1 } });
  assert.deepEqual([tasks.get(record.id).data.title, tasks.get(record.id).pending], ['b', true]);
  assert.equal((await updating).version, 2);
  const patching = tasks.patch(record.id, { done: true, tags: { x: null, y: 2 } });
  assert.deepEqual(tasks.get(record.id).data, { title: 'b', done: true, tags: { y: 2 } });
  const patched = await patching;
  assert.deepEqual([patched.version, patched.data], [3, { title: 'b', done: true, tags: { y: 2 } }]);
  assert.equal(tasks.get(record.id).pending, undefined);

  const deleting = tasks.delete(record.id);
  assert.equal(tasks.get(record.id), undefined, 'gone at once');
  await deleting;
  assert.deepEqual(tasks.records.get(), []);
});

test('a conflict shows the server\'s version, tells the app both sides, and an error rolls back', async () => {
  const name = uniqueCollection();
  const network = new TestNetwork();
  const conflicts = [];
  const tasks = client('alice', network).collection(name, {
    onConflict: (info) => { conflicts.push(info); }, // nothing to write: keep the server's version
  });
  await tasks.ready();
  const record = await tasks.create({ title: 'draft', total: 40 });
  // Bob changes the record; alice does not hear of it (its event is held back) and edits version 1.
  network.inbound = (frame) => (frame.channel === `entity:${name}` ? [] : [frame]);
  await rest('PATCH', `${name}/${record.id}`, { baseVersion: 1, patch: { total: 45 } });
  const rollbacks = [];
  tasks.on('rollback', (r) => rollbacks.push(r));

  const editing = tasks.update(record.id, { title: 'draft', total: 41 });
  assert.deepEqual([tasks.get(record.id).data.total, tasks.get(record.id).pending], [41, true], 'optimistic');
  await assert.rejects(editing, { code: 'conflict' });
  assert.equal(conflicts.length, 1);
  assert.deepEqual([conflicts[0].local.data.total, conflicts[0].server.data.total, conflicts[0].server.version], [41, 45, 2]);
  assert.deepEqual(rollbacks.map((r) => r.op), [{ kind: 'update', id: record.id }]);
  assert.deepEqual([tasks.get(record.id).data.total, tasks.get(record.id).version, tasks.get(record.id).pending], [45, 2, undefined]);

  await assert.rejects(tasks.update(record.id, 'not an object'), (error) => error.code !== 'conflict');
  assert.equal(tasks.get(record.id).data.total, 45, 'a refused write is rolled back');
  assert.equal(rollbacks.length, 2);
});

test('on conflict the app may answer with the data to write over the server\'s version', async () => {
  const name = uniqueCollection();
  const network = new TestNetwork();
  const tasks = client('alice', network).collection(name, {
    onConflict: ({ local, server }) => ({ data: { ...server.data, ...local.data, merged: true } }),
  });
  await tasks.ready();
  const record = await tasks.create({ title: 'x', total: 1 });
  // Hold back the change event so alice edits version 1 while the server has version 2.
  network.inbound = (frame) => (frame.channel === `entity:${name}` ? [] : [frame]);
  await rest('PATCH', `${name}/${record.id}`, { baseVersion: 1, patch: { note: 'from bob' } });
  const written = await tasks.update(record.id, { title: 'x', total: 2 });
  assert.equal(written.version, 3);
  assert.deepEqual(written.data, { title: 'x', total: 2, note: 'from bob', merged: true });
});

test('stale change events (a version at or below the one shown) are ignored', async () => {
  const name = uniqueCollection();
  const network = new TestNetwork();
  const alice = client('alice', network);
  const tasks = alice.collection(name);
  await tasks.ready();
  const record = await tasks.create({ title: 'v1' });
  await waitFor(() => tasks.get(record.id)?.version === 1, 'v1');
  // Hold the change events back until alice's own replies (v2, v3) have been applied, then let them in late.
  const held = [];
  network.inbound = (frame) => {
    if (frame.channel === `entity:${name}`) {
      held.push(frame);
      return [];
    }
    return frame.type === 'pong' ? [frame, ...held.splice(0)] : [frame];
  };
  await tasks.update(record.id, { title: 'v2' });
  await tasks.update(record.id, { title: 'v3' });
  await waitFor(() => held.length === 2, 'the two change events, held');
  const changes = [];
  tasks.on('change', (change) => changes.push(change.version));
  await alice.request({ type: 'ping' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(changes, [], 'the late events for v2 and v3 changed nothing');
  assert.deepEqual([tasks.get(record.id).version, tasks.get(record.id).data.title], [3, 'v3']);

  network.inbound = (frame) => [frame];
  await rest('PATCH', `${name}/${record.id}`, { baseVersion: 3, patch: { title: 'v4' } });
  await waitFor(() => tasks.get(record.id)?.data.title === 'v4', 'a newer event applies');
  assert.deepEqual(changes, [4]);
});
