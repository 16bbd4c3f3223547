import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TandemClient } from './support/tracked-client.js';
import { TestNetwork } from './support/network.js';
import { serverUrl, uniqueChannel, waitFor } from './support/server.js';

function client(user, network = new TestNetwork()) {
  return new TandemClient({ url: serverUrl, user, WebSocket: network.WebSocket, backoff: { baseDelay: 20, maxDelay: 200 } }).connect();
}

const contents = (messages) => messages.list.get().map((m) => (m.deleted ? '(deleted)' : m.content));

test('a sent message shows at once as pending, then as the stored one, and edits and deletes reach everyone', async () => {
  const room = uniqueChannel('chat');
  const alice = client('alice');
  const bob = client('bob');
  await Promise.all([alice.whenOpen(), bob.whenOpen()]);
  const mine = alice.messages(room);
  const theirs = bob.messages(room);
  await waitFor(() => alice.channel(room).state === 'subscribed' && bob.channel(room).state === 'subscribed', 'subscriptions');

  const sending = mine.send('hello bob');
  assert.deepEqual(mine.list.get().map((m) => [m.content, m.pending]), [['hello bob', true]]);
  const ack = await sending;
  assert.equal(ack.duplicate, false);
  await waitFor(() => theirs.list.get().length === 1, 'bob gets the message');
  const stored = theirs.list.get()[0];
  assert.deepEqual([stored.id, stored.seq, stored.userId, stored.content], [ack.id, ack.seq, 'alice', 'hello bob']);
  await waitFor(() => mine.list.get()[0]?.pending === undefined, 'alice\'s pending entry replaced');
  assert.equal(mine.list.get().length, 1);

  await mine.edit(ack.id, 'hello bob!');
  await waitFor(() => contents(theirs)[0] === 'hello bob!', 'bob sees the edit');
  await assert.rejects(theirs.edit(ack.id, 'not mine'), { code: 'forbidden' });
  await mine.delete(ack.id);
  await waitFor(() => contents(theirs)[0] === '(deleted)', 'bob sees the deletion');
  assert.equal(theirs.list.get()[0].content, undefined, 'deleted content is gone');
});

test('sending twice with one clientMsgId stores one message; the repeat is acknowledged as a duplicate', async () => {
  const room = uniqueChannel('chat');
  const alice = client('alice');
  const messages = alice.messages(room);
  const first = await messages.send('once', { clientMsgId: 'cid-1' });
  const again = await messages.send('once', { clientMsgId: 'cid-1' });
  assert.deepEqual([again.id, again.seq, again.duplicate], [first.id, first.seq, true]);
  await waitFor(() => messages.list.get().every((m) => !m.pending), 'no pending entry left');
  assert.deepEqual(contents(messages), ['once']);
});

test('a message written offline waits in the queue and is stored exactly once after reconnecting', async () => {
  const room = uniqueChannel('chat');
  const network = new TestNetwork();
  const alice = client('alice', network);
  const bob = client('bob');
  const mine = alice.messages(room);
  const theirs = bob.messages(room);
  await waitFor(() => alice.channel(room).state === 'subscribed' && bob.channel(room).state === 'subscribed', 'subscriptions');
  network.down();
  await waitFor(() => alice.status.get() === 'reconnecting', 'alice offline');
  const sending = mine.send('from the tunnel');
  assert.equal(mine.list.get()[0].pending, true);
  network.up();
  const ack = await sending;
  await waitFor(() => contents(theirs).length === 1, 'bob gets it');
  await waitFor(() => mine.list.get().every((m) => !m.pending) && mine.list.get().length === 1, 'alice sees it stored');
  assert.deepEqual(contents(theirs), ['from the tunnel']);
  assert.equal(ack.seq, 1);
});

test('history pages back from the newest messages until there are no more', async () => {
  const room = uniqueChannel('chat');
  const alice = client('alice');
  const writer = alice.messages(room);
  for (let i = 1; i <= 7; i++) await writer.send(`m${i}`);
  const reader = client('bob').messages(room, { pageSize: 3 });
  await waitFor(() => contents(reader).length === 3, 'the newest page');
  assert.deepEqual(contents(reader), ['m5', 'm6', 'm7']);
  assert.equal(reader.hasMore, true);
  assert.equal(await reader.loadOlder(), 3);
  assert.deepEqual(contents(reader), ['m2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  assert.equal(await reader.loadOlder(), 1);
  assert.deepEqual(contents(reader), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  assert.equal(reader.hasMore, false);
});

test('unread counts others\' messages after the read position; read receipts are batched and reach the author', async () => {
  const room = uniqueChannel('chat');
  const bobNetwork = new TestNetwork();
  const alice = client('alice');
  const bob = client('bob', bobNetwork);
  const mine = alice.messages(room);
  const theirs = bob.messages(room, { receiptInterval: 300 });
  await waitFor(() => alice.channel(room).state === 'subscribed' && bob.channel(room).state === 'subscribed', 'subscriptions');
  const acks = [];
  for (let i = 1; i <= 3; i++) acks.push(await mine.send(`m${i}`));
  await waitFor(() => theirs.unread.get() === 3, 'three unread for bob');
  assert.equal(mine.unread.get(), 0, 'one\'s own messages are never unread');

  for (const ack of acks) theirs.markRead(ack.seq); // three marks in a row ...
  assert.equal(theirs.unread.get(), 0);
  await waitFor(() => mine.readBy(acks[2].seq).includes('bob'), 'alice learns bob read everything');
  await new Promise((resolve) => setTimeout(resolve, 400));
  const reads = bobNetwork.sentOfType('receipt').filter((f) => f.payload.kind === 'read');
  assert.ok(reads.length <= 2, `... went out as ${reads.length} receipts (the first at once, the rest batched)`);
  assert.equal(reads.at(-1).payload.upTo, acks[2].seq);

  const unread = await fetch(`${serverUrl}/api/users/bob/unread`).then((r) => r.json());
  assert.equal(unread.channels[room], 0, 'the server agrees: nothing unread');
  await mine.send('one more');
  await waitFor(() => theirs.unread.get() === 1, 'a new message is unread');
});

test('typing is sent at most every interval, shows for the others, and disappears after the timeout or with a message', async () => {
  const room = uniqueChannel('chat');
  const network = new TestNetwork();
  const alice = client('alice', network);
  const bob = client('bob');
  const typing = alice.typing(room);
  const watching = bob.typing(room, { timeout: 400 });
  const chat = alice.messages(room);
  await waitFor(() => alice.channel(room).state === 'subscribed' && bob.channel(room).state === 'subscribed', 'subscriptions');

  const sent = [];
  for (let i = 0; i < 10; i++) sent.push(typing.start());
  assert.deepEqual(sent.filter(Boolean).length, 1, 'ten keystrokes, one typing command');
  await waitFor(() => watching.users.get().some((u) => u.userId === 'alice'), 'bob sees alice typing');
  // The server took alice's event before bob saw it, so its 2 s window (one typing event per user per 2 s) ends
  // before seenAt + 2 s, however late a loaded machine let the server read the event.
  const seenAt = Date.now();
  await waitFor(() => watching.users.get().length === 0, 'the indicator times out');

  // stop() is about this client's own pace; the server's window has to pass as well.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, seenAt + 2050 - Date.now())));
  typing.stop();
  assert.equal(typing.start(), true, 'after stop() the next keystroke is sent at once');
  await waitFor(() => watching.users.get().length === 1, 'alice typing again');
  await chat.send('done typing');
  await waitFor(() => watching.users.get().length === 0, 'her message hides the indicator');
  assert.equal(network.sentOfType('typing').length, 2);
});

test('receipts work on any channel: marks are batched and the others learn who read what', async () => {
  const name = uniqueChannel();
  const network = new TestNetwork();
  const alice = client('alice');
  const bob = client('bob', network);
  const mine = alice.receipts(name);
  const theirs = bob.receipts(name, { interval: 300 });
  await waitFor(() => alice.channel(name).state === 'subscribed' && bob.channel(name).state === 'subscribed', 'subscriptions');
  const acks = [];
  for (let n = 1; n <= 3; n++) acks.push(await alice.channel(name).publish({ n }));
  theirs.markDelivered(acks[2].payload.seq);
  for (const ack of acks) theirs.markRead(ack.payload.seq);
  assert.equal(theirs.readUpTo, acks[2].payload.seq);
  await waitFor(() => mine.readBy(acks[2].payload.seq).includes('bob'), 'alice learns bob read everything');
  assert.deepEqual(mine.readBy(acks[0].payload.seq), ['bob']);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const sent = network.sentOfType('receipt').map((f) => `${f.payload.kind}:${f.payload.upTo}`);
  assert.ok(sent.length <= 3, `four marks went out as ${sent.join(', ')}`);
  assert.equal(sent.at(-1), `read:${acks[2].payload.seq}`);
});
