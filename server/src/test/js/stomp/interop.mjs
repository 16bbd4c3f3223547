// Interop checks of Tandem's /stomp endpoint with a client we did not write: @stomp/stompjs on Node, with the
// `ws` package as WebSocket. Usage: node interop.mjs http://127.0.0.1:PORT [idleSeconds]
// Prints "ok <check>" per passing check; exits non-zero on the first failure. Run by StompJsInteropTest.
import assert from 'node:assert/strict';
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';

const base = process.argv[2].replace(/^http/, 'ws');
const idleSeconds = Number(process.argv[3] ?? 30);
const PROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function connect(user, options = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const client = new Client({
      webSocketFactory: () => new WebSocket(`${base}/stomp?user=${user}`, PROTOCOLS),
      reconnectDelay: 0,
      heartbeatIncoming: 10000,
      heartbeatOutgoing: 10000,
      ...options,
    });
    client.onConnect = (frame) => { client.connectedFrame = frame; resolve(client); };
    client.onStompError = (frame) => reject(new Error(`ERROR ${frame.headers.message}`));
    client.onWebSocketError = (e) => reject(new Error(`WebSocket error ${e.message ?? e}`));
    client.activate();
  }), 10000, `connect ${user}`);
}

function subscribeCollecting(client, destination, headers = {}) {
  const messages = [];
  const waiters = [];
  const subscription = client.subscribe(destination, (message) => {
    messages.push(message);
    waiters.filter((w) => messages.length >= w.count).forEach((w) => w.resolve());
  }, headers);
  return {
    subscription,
    messages,
    waitFor(count, what) {
      if (messages.length >= count) return Promise.resolve();
      return withTimeout(new Promise((resolve) => waiters.push({ count, resolve })), 10000, what);
    },
  };
}

function receipt(client, id) {
  return withTimeout(new Promise((resolve) => client.watchForReceipt(id, resolve)), 10000, `receipt ${id}`);
}

async function subscribeConfirmed(client, destination, headers = {}) {
  const id = `sub-receipt-${Math.random()}`;
  const done = receipt(client, id);
  const collected = subscribeCollecting(client, destination, { ...headers, receipt: id });
  await done;
  return collected;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function publishesArriveInOrderWithReceipts() {
  const client = await connect('js-alice');
  assert.equal(client.connectedFrame.headers.version, '1.2');
  assert.equal(client.connectedFrame.headers['user-name'], 'js-alice');
  const inbox = await subscribeConfirmed(client, '/topic/interop.order');
  const receipts = [];
  for (let i = 0; i < 50; i++) {
    receipts.push(receipt(client, `send-${i}`));
    client.publish({ destination: '/topic/interop.order', body: `m${i}`, headers: { receipt: `send-${i}` } });
  }
  await Promise.all(receipts);
  await inbox.waitFor(50, '50 messages');
  assert.deepEqual(inbox.messages.map((m) => m.body), Array.from({ length: 50 }, (_, i) => `m${i}`));
  const seqs = inbox.messages.map((m) => Number(m.headers['tandem-seq']));
  seqs.forEach((seq, i) => i > 0 && assert.equal(seq, seqs[i - 1] + 1));
  await client.deactivate();
}

async function nackedMessagesAreRedeliveredUntilAcked() {
  const client = await connect('js-acker');
  const deliveries = [];
  const done = new Promise((resolve) => {
    const id = `r-${Math.random()}`;
    const subscribed = receipt(client, id);
    client.subscribe('/topic/interop.ack', (message) => {
      deliveries.push(message.headers['message-id']);
      if (deliveries.length === 1) message.nack(); else { message.ack(); resolve(); }
    }, { ack: 'client-individual', receipt: id });
    subscribed.then(() => client.publish({ destination: '/topic/interop.ack', body: 'redeliver me' }));
  });
  await withTimeout(done, 10000, 'redelivery');
  assert.equal(deliveries.length, 2);
  assert.equal(deliveries[0], deliveries[1]);
  await client.deactivate();
}

async function userQueueReachesEveryConnectionOfThatUserOnly() {
  const carol1 = await connect('js-carol');
  const carol2 = await connect('js-carol');
  const dave = await connect('js-dave');
  const inbox1 = await subscribeConfirmed(carol1, '/user/queue/notes');
  const inbox2 = await subscribeConfirmed(carol2, '/user/queue/notes');
  const daveInbox = await subscribeConfirmed(dave, '/user/queue/notes');
  dave.publish({ destination: '/user/js-carol/queue/notes', body: 'hi carol' });
  await inbox1.waitFor(1, 'carol 1');
  await inbox2.waitFor(1, 'carol 2');
  assert.equal(inbox1.messages[0].body, 'hi carol');
  assert.equal(inbox2.messages[0].body, 'hi carol');
  await sleep(300);
  assert.equal(daveInbox.messages.length, 0);
  await Promise.all([carol1.deactivate(), carol2.deactivate(), dave.deactivate()]);
}

function nativeClient(user) {
  const socket = new WebSocket(`${base}/ws?user=${user}`);
  const frames = [];
  const waiters = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  return {
    socket,
    opened: withTimeout(new Promise((resolve) => socket.on('open', resolve)), 10000, 'native open'),
    send: (frame) => socket.send(JSON.stringify(frame)),
    async next(predicate, what) {
      const deadline = Date.now() + 10000;
      for (;;) {
        const index = frames.findIndex(predicate);
        if (index >= 0) return frames.splice(index, 1)[0];
        if (Date.now() > deadline) throw new Error(`timed out: native ${what}`);
        await withTimeout(new Promise((resolve) => waiters.push(resolve)), deadline - Date.now(), `native ${what}`);
      }
    },
  };
}

async function stompAndNativeClientsExchangeBothWaysInTheSameOrder() {
  const native = nativeClient('js-native');
  await native.opened;
  native.send({ type: 'subscribe', channel: 'chat:interop', requestId: 's' });
  await native.next((f) => f.type === 'subscribed', 'subscribed');
  const stomp = await connect('js-stomp');
  const inbox = await subscribeConfirmed(stomp, '/topic/chat.interop');
  stomp.publish({ destination: '/app/chat.interop', body: JSON.stringify({ from: 'stomp' }),
    headers: { 'content-type': 'application/json' } });
  const fromStomp = await native.next((f) => f.type === 'publication', 'publication from stomp');
  assert.deepEqual(fromStomp.payload, { from: 'stomp' });
  assert.equal(fromStomp.userId, 'js-stomp');
  native.send({ type: 'publish', channel: 'chat:interop', payload: { from: 'native' }, requestId: 'p' });
  const fromNative = await native.next((f) => f.type === 'publication', 'own publication');
  await inbox.waitFor(2, 'two messages on stomp');
  assert.deepEqual(inbox.messages.map((m) => JSON.parse(m.body)), [{ from: 'stomp' }, { from: 'native' }]);
  assert.deepEqual(inbox.messages.map((m) => Number(m.headers['tandem-seq'])), [fromStomp.seq, fromNative.seq]);
  assert.equal(inbox.messages[1].headers['content-type'], 'application/json');
  native.socket.close();
  await stomp.deactivate();
}

async function appChatSendIsIdempotentAndReceiptedAfterCommit() {
  const client = await connect('js-chatter');
  const room = await subscribeConfirmed(client, '/topic/chat.interop-app');
  const replies = await subscribeConfirmed(client, '/user/queue/reply');
  const send = async (receiptId) => {
    const done = receipt(client, receiptId);
    client.publish({ destination: '/app/chat.send/chat.interop-app',
      body: JSON.stringify({ content: 'hello from stompjs', clientMsgId: 'js-1' }),
      headers: { 'content-type': 'application/json', receipt: receiptId } });
    return done;
  };
  const first = await send('chat-1');
  const retry = await send('chat-2');
  assert.equal(first.headers['tandem-duplicate'], 'false');
  assert.equal(retry.headers['tandem-duplicate'], 'true');
  assert.equal(retry.headers['tandem-message-id'], first.headers['tandem-message-id']);
  assert.equal(retry.headers['tandem-seq'], first.headers['tandem-seq']);
  await replies.waitFor(2, 'two replies');
  assert.deepEqual(replies.messages.map((m) => m.headers['tandem-type']), ['ack', 'ack']);
  assert.equal(JSON.parse(replies.messages[0].body).id, first.headers['tandem-message-id']);
  await room.waitFor(1, 'message.new');
  await sleep(300);
  assert.equal(room.messages.length, 1, 'a retried send must not store the message twice');
  assert.equal(room.messages[0].headers['tandem-type'], 'message.new');
  assert.equal(JSON.parse(room.messages[0].body).content, 'hello from stompjs');
  await client.deactivate();
}

async function appPresenceJoinAnswersOnTheReplyQueueAndOthersSeeIt() {
  const watcher = await connect('js-watcher');
  const joiner = await connect('js-joiner');
  const watched = await subscribeConfirmed(watcher, '/topic/room.interop-presence');
  await subscribeConfirmed(joiner, '/topic/room.interop-presence');
  const replies = await subscribeConfirmed(joiner, '/user/queue/reply');
  const joined = receipt(joiner, 'join');
  joiner.publish({ destination: '/app/presence.join/room.interop-presence',
    body: JSON.stringify({ state: { name: 'Joiner' } }),
    headers: { 'content-type': 'application/json', receipt: 'join' } });
  await joined;
  await replies.waitFor(1, 'presence:sync');
  assert.equal(replies.messages[0].headers['tandem-type'], 'presence:sync');
  assert.ok(JSON.parse(replies.messages[0].body).users.some((u) => u.id === 'js-joiner'));
  await watched.waitFor(1, 'presence:join');
  assert.equal(watched.messages[0].headers['tandem-type'], 'presence:join');
  assert.equal(JSON.parse(watched.messages[0].body).state.name, 'Joiner');
  const beat = receipt(joiner, 'beat');
  joiner.publish({ destination: '/app/presence.heartbeat/room.interop-presence', headers: { receipt: 'beat' } });
  await beat;
  joiner.publish({ destination: '/app/presence.leave/room.interop-presence' });
  await watched.waitFor(2, 'presence:leave');
  assert.equal(watched.messages[1].headers['tandem-type'], 'presence:leave');
  await Promise.all([watcher.deactivate(), joiner.deactivate()]);
}

async function aMalformedFrameGetsErrorThenClose() {
  const socket = new WebSocket(`${base}/stomp`, PROTOCOLS);
  const received = [];
  const closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('message', (data) => received.push(data.toString()));
  await withTimeout(new Promise((resolve) => socket.on('open', resolve)), 10000, 'raw open');
  assert.equal(socket.protocol, 'v12.stomp');
  socket.send('CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0');
  socket.send('SEND\nthis is not a header\n\n\0');
  const code = await withTimeout(closed, 10000, 'close after ERROR');
  assert.ok(received[0].startsWith('CONNECTED\n'), received[0]);
  assert.ok(received[1].startsWith('ERROR\n'), received[1]);
  assert.match(received[1], /message:header line without/);
  assert.notEqual(code, 1000);
}

async function heartBeatsKeepAnIdleConnectionAlive() {
  let heartBeatsIn = 0;
  let lost = false;
  let closed = false;
  const client = await connect('js-idle', {
    heartbeatIncoming: 1000,
    heartbeatOutgoing: 1000,
    debug: (line) => { if (line === '<<< PONG') heartBeatsIn++; },
    onHeartbeatLost: () => { lost = true; },
    onWebSocketClose: () => { closed = true; },
  });
  await sleep(idleSeconds * 1000);
  assert.equal(lost, false, 'stompjs lost the server heart-beat');
  assert.equal(closed, false, 'connection closed while idle');
  assert.ok(heartBeatsIn >= idleSeconds / 4, `only ${heartBeatsIn} heart-beats from the server in ${idleSeconds} s`);
  const inbox = await subscribeConfirmed(client, '/topic/interop.idle');
  client.publish({ destination: '/topic/interop.idle', body: 'still alive' });
  await inbox.waitFor(1, 'message after idling');
  await client.deactivate();
  return heartBeatsIn;
}

const checks = [
  publishesArriveInOrderWithReceipts,
  nackedMessagesAreRedeliveredUntilAcked,
  userQueueReachesEveryConnectionOfThatUserOnly,
  stompAndNativeClientsExchangeBothWaysInTheSameOrder,
  appChatSendIsIdempotentAndReceiptedAfterCommit,
  appPresenceJoinAnswersOnTheReplyQueueAndOthersSeeIt,
  aMalformedFrameGetsErrorThenClose,
];

try {
  const idle = heartBeatsKeepAnIdleConnectionAlive();
  for (const check of checks) {
    await check();
    console.log(`ok ${check.name}`);
  }
  const beats = await idle;
  console.log(`ok heartBeatsKeepAnIdleConnectionAlive (${beats} server heart-beats in ${idleSeconds} s)`);
  process.exit(0);
} catch (e) {
  console.error(`FAILED: ${e.stack ?? e}`);
  process.exit(1);
}
