/**
 * The SharedWorker side of `sharedClient()`: one TandemClient (one connection) for every tab of an origin that
 * connects with the same url and user. Tabs talk to it over MessagePorts (the message shapes are in shared.js).
 *
 * Design: the worker subscribes each channel once and fans its events out to every port that asked for it;
 * recovery, gap filling and the offline queue therefore happen once, in the worker. A tab that goes away says
 * `bye` (on pagehide) so its subscriptions are released; events for a port that vanished without it are
 * harmless (postMessage to a closed port is a no-op).
 */
import { TandemClient } from './client.js';

let client = null;
const ports = new Set();
const channels = new Map(); // name -> {ports: Set, stop, listeners: [stop...]}

self.onconnect = (event) => {
  const port = event.ports[0];
  ports.add(port);
  port.onmessage = (message) => handle(port, message.data);
  port.start();
};

function handle(port, message) {
  switch (message.op) {
    case 'init':
      if (!client) start(message.options);
      port.postMessage({ op: 'status', value: client.status.get() });
      return;
    case 'connect':
      client.connect();
      return;
    case 'request':
      client.request(message.frame, message.options)
        .then((frame) => port.postMessage({ op: 'reply', id: message.id, frame }))
        .catch((error) => port.postMessage({ op: 'reply', id: message.id, error: { code: error.code, message: error.message, frame: error.frame } }));
      return;
    case 'subscribe':
      join(port, message.channel);
      return;
    case 'unsubscribe':
      leave(port, message.channel);
      return;
    case 'bye':
      for (const name of [...channels.keys()]) leave(port, name);
      ports.delete(port);
      return;
    default:
  }
}

function start(options) {
  client = new TandemClient({ ...options, environment: self });
  client.status.subscribe((value) => broadcast({ op: 'status', value }));
}

function join(port, name) {
  let entry = channels.get(name);
  if (!entry) {
    const channel = client.channel(name);
    entry = { ports: new Set(), listeners: [] };
    channels.set(name, entry);
    for (const event of ['subscribed', 'unrecovered', 'ephemeral', 'error']) {
      entry.listeners.push(channel.on(event, (value) => {
        const payload = value instanceof Error ? { code: value.code, message: value.message } : value;
        for (const p of entry.ports) p.postMessage({ op: 'channel', channel: name, event, value: payload });
      }));
    }
    entry.stop = channel.subscribe((frame) => {
      for (const p of entry.ports) p.postMessage({ op: 'event', channel: name, frame });
    });
  }
  entry.ports.add(port);
  const channel = client.channel(name);
  if (channel.state === 'subscribed' && channel.position) {
    // A tab joining a channel the worker already follows starts from here, like a fresh subscribe would.
    const { seq, epoch } = channel.position;
    port.postMessage({ op: 'channel', channel: name, event: 'subscribed', value: { seq, epoch, recovered: false, resumed: false } });
  }
}

function leave(port, name) {
  const entry = channels.get(name);
  if (!entry || !entry.ports.delete(port) || entry.ports.size > 0) return;
  channels.delete(name);
  entry.stop();
  entry.listeners.forEach((stop) => stop());
}

function broadcast(message) {
  for (const port of ports) port.postMessage(message);
}
