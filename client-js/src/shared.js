/**
 * Sharing one connection between the tabs of an origin. `sharedClient(options)` returns an object with the
 * TandemClient surface a page needs (`status`, `channel(name)` with `subscribe`, `publish`, `history`, `on`;
 * `request`, `whenOpen`, `close`) whose connection lives in one place for all tabs with the same url and user:
 *   - a SharedWorker (`shared-worker.js`) where the browser has one;
 *   - otherwise the leader tab, elected with the Web Locks API and reached over a BroadcastChannel
 *     (`LeaderLink` below); when the leader closes, the next tab takes over and every tab re-subscribes;
 *   - otherwise (or with `getToken`, a function cannot be posted) a plain TandemClient, one connection per tab.
 *
 * Messages, tab → hub: `{op: 'init', options}` (first), `{op: 'connect'}`, `{op: 'request', id, frame, options}`,
 * `{op: 'subscribe', channel, since?}`, `{op: 'unsubscribe', channel}`, `{op: 'bye'}`; hub → tab:
 * `{op: 'status', value}`, `{op: 'reply', id, frame | error}`, `{op: 'event', channel, frame}`,
 * `{op: 'channel', channel, event, value}`. The hub is tab-hub.js.
 */
import { TandemClient } from './client.js';
import { Emitter } from './emitter.js';
import { TandemError } from './errors.js';
import { TabHub } from './tab-hub.js';
import { Value } from './value.js';

/** Commands that may go to a new leader when the one they were sent to went away before answering. */
const RESENDABLE = new Set(['history', 'ping', 'subscribe', 'unsubscribe']);

export function sharedClient(options, { workerUrl = new URL('./shared-worker.js', import.meta.url) } = {}) {
  // Only plain data can be posted to the worker: classes and functions (WebSocket, transports, environment)
  // stay behind (the worker uses its own), and a token provider cannot run there at all.
  if (options.getToken) return new TandemClient(options);
  const { WebSocket: _class, EventSource: _source, fetch: _fetch, transports, environment: _window, ...plain } = options;
  if (Array.isArray(transports) && transports.every((t) => typeof t === 'string')) plain.transports = transports;
  if (typeof SharedWorker === 'function') return new SharedTandemClient(plain, new WorkerLink(plain, workerUrl));
  if (typeof BroadcastChannel === 'function' && globalThis.navigator?.locks) {
    return new SharedTandemClient(plain, new LeaderLink(plain));
  }
  return new TandemClient(options);
}

function hubName(options) {
  return `tandem ${options.url} ${options.user ?? ''}`;
}

/** To the SharedWorker's hub over its MessagePort. */
class WorkerLink {
  kind = 'shared-worker';
  onMessage = () => {};
  onReset = () => {};
  #port;
  #ready = false;

  constructor(options, workerUrl) {
    const worker = new SharedWorker(workerUrl, { type: 'module', name: hubName(options) });
    this.#port = worker.port;
    this.#port.onmessage = (message) => this.onMessage(message.data);
    this.#port.start();
    // The first reset (once the client is wired to this link) sends `init` and everything asked for before it.
    queueMicrotask(() => {
      this.#ready = true;
      this.onReset();
    });
  }

  post(message) {
    if (!this.#ready) return false;
    this.#port.postMessage(message);
    return true;
  }
}

/**
 * To the hub in the leader tab. Election: every tab asks for the Web Lock named after the hub; the browser
 * grants it to one tab at a time and hands it to a waiting tab when the holder closes, so there is exactly
 * one leader and a new one the moment it goes. The leader runs a TabHub (the connection) and serves the others
 * over a BroadcastChannel: `hello` (a tab asks who leads), `leader` (the leader announces itself), `to-leader`
 * and `to-tab` carry the shared.js messages. A tab that learns of a new leader resets: it sends its `init`,
 * `connect` and subscriptions again (the new hub resumes each channel from the tab's position).
 */
class LeaderLink {
  kind = 'broadcast';
  onMessage = () => {};
  onReset = () => {};
  #id = `t${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  #channel;
  #leader = null;
  #hub = null;
  #ports = new Map();
  #self = { postMessage: (message) => queueMicrotask(() => this.onMessage(message)) };

  constructor(options) {
    const name = hubName(options);
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (event) => this.#receive(event.data);
    globalThis.navigator.locks.request(name, () => {
      this.#lead();
      return new Promise(() => {}); // held until this tab goes away
    });
    this.#channel.postMessage({ kind: 'hello', from: this.#id });
  }

  /** Whether this tab holds the connection. */
  get leading() {
    return this.#hub !== null;
  }

  post(message) {
    if (this.#hub) {
      this.#hub.handle(this.#self, message);
      return true;
    }
    if (!this.#leader) return false; // nobody to send to yet: the reset on the leader's arrival sends it
    this.#channel.postMessage({ kind: 'to-leader', from: this.#id, message });
    return true;
  }

  #receive(data) {
    if (data.kind === 'hello' && this.#hub) {
      this.#channel.postMessage({ kind: 'leader', from: this.#id });
    } else if (data.kind === 'leader' && data.from !== this.#leader && !this.#hub) {
      this.#leader = data.from;
      this.onReset();
    } else if (data.kind === 'to-leader' && this.#hub) {
      this.#hub.handle(this.#port(data.from), data.message);
    } else if (data.kind === 'to-tab' && data.to === this.#id) {
      this.onMessage(data.message);
    }
  }

  #port(tab) {
    let port = this.#ports.get(tab);
    if (!port) {
      port = { postMessage: (message) => this.#channel.postMessage({ kind: 'to-tab', to: tab, message }) };
      this.#ports.set(tab, port);
    }
    return port;
  }

  #lead() {
    this.#hub = new TabHub(globalThis);
    this.#leader = this.#id;
    globalThis.addEventListener?.('pagehide', () => this.#hub.close());
    this.#channel.postMessage({ kind: 'leader', from: this.#id });
    this.onReset();
  }
}

class SharedTandemClient extends Emitter {
  status = new Value('closed');
  #link;
  #options;
  #requests = new Map(); // id -> {resolve, reject, frame, options, sent}
  #ids = 0;
  #channels = new Map();
  #connecting = false;

  constructor(options, link) {
    super();
    this.#options = options;
    this.#link = link;
    link.onMessage = (message) => this.#receive(message);
    link.onReset = () => this.#reset();
    globalThis.addEventListener?.('pagehide', () => this.#link.post({ op: 'bye' }));
  }

  /** How the connection is shared: `shared-worker` or `broadcast` (a leader tab). */
  get sharing() {
    return this.#link.kind;
  }

  /** Whether this tab holds the connection (always false with a SharedWorker). */
  get leading() {
    return Boolean(this.#link.leading);
  }

  connect() {
    this.#connecting = true;
    this.#link.post({ op: 'connect' });
    return this;
  }

  whenOpen() {
    return new Promise((resolve) => {
      const stop = this.status.subscribe((status) => {
        if (status === 'open') queueMicrotask(() => { stop(); resolve(this); });
      });
    });
  }

  close() {
    this.#connecting = false;
    this.#link.post({ op: 'bye' });
    this.status.set('closed');
  }

  request(frame, options = {}) {
    const id = ++this.#ids;
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, frame, options, sent: false };
      this.#requests.set(id, entry);
      entry.sent = this.#link.post({ op: 'request', id, frame, options });
    });
  }

  channel(name) {
    let channel = this.#channels.get(name);
    if (!channel) this.#channels.set(name, (channel = new SharedChannel(this, name, (message) => this.#link.post(message))));
    return channel;
  }

  /** A (new) hub serves this tab: introduce ourselves again, resubscribe, and settle what the old one held. */
  #reset() {
    this.#link.post({ op: 'init', options: this.#options });
    if (this.#connecting) this.#link.post({ op: 'connect' });
    for (const channel of this.#channels.values()) channel._resubscribe();
    for (const [id, entry] of this.#requests) {
      if (entry.sent && !RESENDABLE.has(entry.frame.type) && entry.frame.clientMsgId == null) {
        this.#requests.delete(id);
        entry.reject(new TandemError('disconnected', `the tab holding the connection went away before the reply to ${entry.frame.type}`));
      } else {
        entry.sent = this.#link.post({ op: 'request', id, frame: entry.frame, options: entry.options });
      }
    }
  }

  #receive(message) {
    if (message.op === 'status') {
      this.status.set(message.value);
    } else if (message.op === 'reply') {
      const request = this.#requests.get(message.id);
      this.#requests.delete(message.id);
      if (!request) return;
      if (message.error) {
        request.reject(new TandemError(message.error.code, message.error.message, message.error.frame));
      } else {
        request.resolve(message.frame);
      }
    } else if (message.op === 'event' || message.op === 'channel') {
      this.#channels.get(message.channel)?._receive(message);
    }
  }
}

class SharedChannel extends Emitter {
  #client;
  #post;
  #handlers = new Set();
  position = null;

  constructor(client, name, post) {
    super();
    this.#client = client;
    this.#post = post;
    this.name = name;
  }

  subscribe(handler) {
    this.#handlers.add(handler);
    if (this.#handlers.size === 1) this.#post({ op: 'subscribe', channel: this.name, since: this.position ?? undefined });
    return () => {
      if (this.#handlers.delete(handler) && this.#handlers.size === 0) {
        this.#post({ op: 'unsubscribe', channel: this.name });
      }
    };
  }

  publish(payload, { clientMsgId, ...options } = {}) {
    return this.#client.request({ type: 'publish', channel: this.name, payload, clientMsgId }, options);
  }

  async history({ after, before, limit } = {}, options = {}) {
    const reply = await this.#client.request({ type: 'history', channel: this.name, after, before, limit },
      { idempotent: true, ...options });
    return reply.payload;
  }

  /** @internal a new hub: subscribe there, from where this tab is. */
  _resubscribe() {
    if (this.#handlers.size > 0) this.#post({ op: 'subscribe', channel: this.name, since: this.position ?? undefined });
  }

  _receive(message) {
    if (message.op === 'event') {
      const { seq } = message.frame;
      if (this.position && typeof seq === 'number' && seq <= this.position.seq) return; // seen through the old hub
      this.position = { seq, epoch: this.position?.epoch };
      for (const handler of [...this.#handlers]) handler(message.frame);
    } else {
      if (message.event === 'subscribed') this.position = { seq: this.position?.seq ?? message.value.seq, epoch: message.value.epoch };
      this.emit(message.event, message.event === 'error' ? new TandemError(message.value.code, message.value.message) : message.value);
    }
  }
}
