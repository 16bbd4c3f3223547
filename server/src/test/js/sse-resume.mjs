// Interop: the third-party `eventsource` client against Tandem's /sse, through a TCP proxy that the test
// cuts to simulate a lost network. Proves: an id on every event, the `retry:` hint is honoured, the client's
// automatic reconnect sends Last-Event-ID, and the server replays exactly the missed publications, in order.
// Usage: node sse-resume.mjs http://127.0.0.1:PORT   (exit 0 and a line starting "OK" on success)
import net from 'node:net';
import { EventSource } from 'eventsource';

const server = new URL(process.argv[2]);
const channel = `interop:sse-${Date.now()}`;
const deadline = setTimeout(() => fail('timed out'), 45_000);

function fail(message) {
  console.error(`FAIL ${message}`);
  process.exit(1);
}

function check(condition, message) {
  if (!condition) fail(message);
}

// A TCP proxy in front of the server: cut() destroys every connection, and while `down` it refuses new ones.
const sockets = new Set();
let down = false;
const requests = [];
const proxy = net.createServer((client) => {
  if (down) {
    client.destroy();
    return;
  }
  const upstream = net.connect(Number(server.port), server.hostname);
  sockets.add(client).add(upstream);
  client.once('data', (head) => requests.push(head.toString('latin1')));
  client.pipe(upstream).pipe(client);
  const forget = () => { sockets.delete(client); sockets.delete(upstream); client.destroy(); upstream.destroy(); };
  client.on('error', forget).on('close', forget);
  upstream.on('error', forget).on('close', forget);
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;

// Every frame the EventSource delivers, in order, and a way to wait for one.
const frames = [];
const waiters = [];
function deliver(frame) {
  frames.push(frame);
  for (const waiter of [...waiters]) {
    if (waiter.test(frame)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(frame);
    }
  }
}
// The first frame from index `from` on that passes `test`, now or when it arrives.
function next(test, what, from = frames.length) {
  const seen = frames.slice(from).find(test);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    waiters.push({ test, resolve });
    setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 20_000);
  });
}

// Resolves once `condition()` holds (checked now and after every frame).
function until(condition, what) {
  if (condition()) return Promise.resolve();
  return next(() => condition(), what);
}

async function post(path, body) {
  const response = await fetch(new URL(path, server), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) fail(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

async function publishFromBackend(count, first) {
  for (let i = 0; i < count; i++) {
    await post('/api/publish', { channel, payload: { n: first + i } });
  }
}

const publications = () => frames.filter((f) => f.type === 'publication' && f.channel === channel);

try {
  const source = new EventSource(`${proxyUrl}/sse?user=interop`);
  let missingIds = 0;
  source.onmessage = (event) => {
    if (!event.lastEventId) missingIds++;
    deliver(JSON.parse(event.data));
  };

  const connected = await next((f) => f.type === 'connected', 'connected', 0);
  // Replies travel on the stream and may arrive before the POST's own response: look from before the POST.
  await post(`/session/${connected.payload.connectionId}?user=interop`, { type: 'subscribe', channel, requestId: 's1' });
  const subscribed = await next((f) => f.requestId === 's1', 'subscribed', 0);
  check(subscribed.type === 'subscribed', `subscribe answered ${JSON.stringify(subscribed)}`);

  await publishFromBackend(20, 1);
  await until(() => publications().length >= 20, '20 publications');

  // The outage: cut every connection and refuse new ones while 10 publications are missed.
  const mark = frames.length;
  down = true;
  for (const socket of sockets) socket.destroy();
  await publishFromBackend(10, 21);
  down = false;

  const reconnected = await next((f) => f.type === 'connected', 'connected after the outage', mark);
  const recovered = await next((f) => f.type === 'subscribed' && f.channel === channel, 'resubscribed', mark);
  check(recovered.payload.recovered === true, `resubscribe did not recover: ${JSON.stringify(recovered)}`);
  await until(() => publications().length >= 30, '10 missed publications');

  await post(`/session/${reconnected.payload.connectionId}?user=interop`,
    { type: 'publish', channel, payload: { n: 31 }, requestId: 'p1' });
  const ack = await next((f) => f.requestId === 'p1', 'ack', 0);
  check(ack.type === 'ack' && ack.payload.seq === 31, `publish answered ${JSON.stringify(ack)}`);
  await until(() => publications().length >= 31, 'publication 31');
  source.close();

  const seqs = publications().map((p) => p.seq);
  const expected = Array.from({ length: 31 }, (_, i) => i + 1);
  check(JSON.stringify(seqs) === JSON.stringify(expected), `publications not exactly once in order: ${seqs}`);
  check(missingIds === 0, `${missingIds} events had no id`);
  const resumed = requests.filter((r) => r.startsWith('GET /sse') && /\r\nlast-event-id: 1!/i.test(r));
  check(resumed.length >= 1, 'no reconnect carried Last-Event-ID');
  console.log(`OK ${seqs.length} publications exactly once; ${requests.length} connections; resumed with Last-Event-ID`);
  clearTimeout(deadline);
  proxy.close();
  process.exit(0);
} catch (e) {
  fail(e.stack || String(e));
}
