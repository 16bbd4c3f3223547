/**
 * Sharing one connection between the tabs of an origin through a SharedWorker (`shared-worker.js`).
 * `sharedClient(options)` returns an object with the TandemClient surface a page needs (`status`,
 * `channel(name)` with `subscribe`, `publish`, `history`, `on`; `request`, `whenOpen`, `close`); where
 * SharedWorker is missing it returns a plain TandemClient, one connection per tab.
 *
 * Messages, tab → worker: `{op: 'init', options}` (first), `{op: 'connect'}`, `{op: 'request', id, frame, options}`,
 * `{op: 'subscribe' | 'unsubscribe', channel}`, `{op: 'bye'}`; worker → tab: `{op: 'status', value}`,
 * `{op: 'reply', id, frame | error}`, `{op: 'event', channel, frame}`, `{op: 'channel', channel, event, value}`.
 */
import { TandemClient } from './client.js';
import { Emitter } from './emitter.js';
import { TandemError } from './errors.js';
import { Value } from './value.js';

export function sharedClient(options, { workerUrl = new URL('./shared-worker.js', import.meta.url) } = {}) {
  if (typeof SharedWorker !== 'function') return new TandemClient(options);
  // Only plain data can be posted to the worker: classes and functions (WebSocket, transports, environment)
  // stay behind (the worker uses its own), and a token provider cannot run there at all.
  if (options.getToken) return new TandemClient(options);
  const { WebSocket: _class, transports: _functions, environment: _window, ...plain } = options;
  return new SharedTandemClient(plain, workerUrl);
}

class SharedTandemClient extends Emitter {
  status = new Value('closed');
  #port;
  #requests = new Map();
  #ids = 0;
  #channels = new Map();

  constructor(options, workerUrl) {
    super();
    const worker = new SharedWorker(workerUrl, { type: 'module', name: `tandem ${options.url} ${options.user ?? ''}` });
    this.#port = worker.port;
    this.#port.onmessage = (message) => this.#receive(message.data);
    this.#port.start();
    this.#port.postMessage({ op: 'init', options });
    globalThis.addEventListener?.('pagehide', () => this.#port.postMessage({ op: 'bye' }));
  }

  connect() {
    this.#port.postMessage({ op: 'connect' });
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
    this.#port.postMessage({ op: 'bye' });
    this.status.set('closed');
  }

  request(frame, options = {}) {
    const id = ++this.#ids;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#port.postMessage({ op: 'request', id, frame, options });
    });
  }

  channel(name) {
    let channel = this.#channels.get(name);
    if (!channel) this.#channels.set(name, (channel = new SharedChannel(this, name, this.#port)));
    return channel;
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
  #port;
  #handlers = new Set();
  position = null;

  constructor(client, name, port) {
    super();
    this.#client = client;
    this.#port = port;
    this.name = name;
  }

  subscribe(handler) {
    this.#handlers.add(handler);
    if (this.#handlers.size === 1) this.#port.postMessage({ op: 'subscribe', channel: this.name });
    return () => {
      if (this.#handlers.delete(handler) && this.#handlers.size === 0) {
        this.#port.postMessage({ op: 'unsubscribe', channel: this.name });
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

  _receive(message) {
    if (message.op === 'event') {
      this.position = { seq: message.frame.seq, epoch: this.position?.epoch };
      for (const handler of [...this.#handlers]) handler(message.frame);
    } else {
      if (message.event === 'subscribed') this.position = { seq: this.position?.seq ?? message.value.seq, epoch: message.value.epoch };
      this.emit(message.event, message.event === 'error' ? new TandemError(message.value.code, message.value.message) : message.value);
    }
  }
}
