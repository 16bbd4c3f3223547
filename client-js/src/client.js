import { Backoff } from './backoff.js';
import { Channel } from './channel.js';
import { Collection } from './collection.js';
import { Emitter } from './emitter.js';
import { TandemError } from './errors.js';
import { Messages } from './messages.js';
import { Presence } from './presence.js';
import { Receipts } from './receipts.js';
import { TransportCircuits } from './transport-circuits.js';
import { resolveTransports } from './transports.js';
import { Typing } from './typing.js';
import { Value } from './value.js';

/** Close codes after which the server asks not to come back (docs/protocol.md, "Close codes"). */
const FINAL_CLOSE_CODES = new Set([1000, 1009, 4001, 4003]);
/** Commands that can be sent again after a drop without a second effect. */
const IDEMPOTENT_TYPES = new Set(['history', 'ping', 'connect', 'refresh']);
/** Code the client uses when it drops a connection itself (dead heartbeat, browser offline, ...). */
const CLIENT_DROP = 4000;
/** "Try again later": the server is at capacity; not the transport's fault. */
const TRY_AGAIN_LATER = 1013;
/** How long to stay away after a 1013 that carries no hint (the server's own hint is 2 s). */
const TRY_AGAIN_LATER_DELAY = 2000;

/**
 * A connection to a Tandem server that stays up by itself.
 *
 * Design: at most one connection attempt exists at a time (`#conn`). Every transport callback carries the
 * attempt it belongs to and is ignored when that attempt is no longer current, so a late close or frame from
 * an old connection can never disturb the new one. A drop re-enters one path (`#onClose`): in-flight commands
 * are requeued when resending is harmless or failed with `disconnected`, channels forget their subscription
 * (not their position), and a reconnect is scheduled with backoff unless the server said not to come back.
 * On `connected` the channels resubscribe with `since` first, then the offline queue is flushed in order.
 * The reconnect never comes sooner than the server asked (1013, a `disconnect` or `error` frame's `retryAfter`,
 * HTTP `Retry-After`), and each attempt uses the preferred transport whose circuit is closed
 * (`TransportCircuits`): one that keeps failing to open is skipped for `transportCooldown`.
 */
export class TandemClient extends Emitter {
  /** `connecting` | `open` | `reconnecting` | `offline` | `closed`. */
  status = new Value('closed');

  #options;
  #circuits;
  #transport;
  #backoff;
  #conn = null;
  #attempts = 0;
  #everOpened = false;
  #final = false;
  #started = false;
  #requestIds = 0;
  #pending = new Map();
  #oneWay = new Map(); // requestId -> {onError, timer} of commands sent with send()
  #queue = [];
  #channels = new Map();
  #collections = new Map();
  #active = new Set();
  #token;
  #timers = { reconnect: null, stable: null, heartbeat: null, refresh: null };
  #environment;
  #onOnline = () => this.#online();
  #onOffline = () => this.#offline();

  /**
   * @param {object} options see index.d.ts (`TandemClientOptions`); `url` is the server's base URL.
   */
  constructor(options) {
    super();
    if (!options || typeof options.url !== 'string') throw new TypeError('TandemClient needs options.url');
    this.#options = {
      requestTimeout: 10000,
      heartbeatTimeout: 10000,
      stableAfter: 10000,
      maxQueue: 100,
      transportFailures: 2,
      transportCooldown: 60000,
      ...options,
      url: options.url.replace(/^ws/, 'http').replace(/\/+$/, ''),
    };
    const transports = resolveTransports(options);
    this.#circuits = new TransportCircuits(transports, {
      failures: this.#options.transportFailures, cooldown: this.#options.transportCooldown,
    });
    this.#transport = transports[0];
    this.#backoff = new Backoff(options.backoff);
    this.#token = options.token;
    this.#environment = options.environment ?? globalThis;
  }

  /** The current transport's name (`websocket`, ...). */
  get transport() {
    return this.#transport.name;
  }

  /** What the server said in its last `connected` frame (`connectionId`, `userId`, `pingInterval`, ...). */
  get connection() {
    return this.#conn?.info ?? null;
  }

  /** Starts connecting (and reconnecting until `close()`). Returns the client. */
  connect() {
    if (this.#started) return this;
    this.#started = true;
    this.#final = false;
    this.#everOpened = false;
    this.#backoff.reset();
    if (typeof this.#environment.addEventListener === 'function') {
      this.#environment.addEventListener('online', this.#onOnline);
      this.#environment.addEventListener('offline', this.#onOffline);
    }
    this.status.set('connecting');
    this.#attempt();
    return this;
  }

  /** Resolves when the status is (or next becomes) `open`; rejects when it becomes `closed`. */
  whenOpen() {
    return new Promise((resolve, reject) => {
      const stop = this.status.subscribe((status) => {
        if (status === 'open') queueMicrotask(() => { stop(); resolve(this); });
        if (status === 'closed' && this.#final) queueMicrotask(() => { stop(); reject(new TandemError('closed', 'client is closed')); });
      });
    });
  }

  /** The channel called `name` (the same object on every call). */
  channel(name) {
    let channel = this.#channels.get(name);
    if (!channel) this.#channels.set(name, (channel = new Channel(this, name)));
    return channel;
  }

  /** Presence in `channel` (docs/presence.md): `join(state)`, `members`, `update`, `leave`. */
  presence(channel, options) {
    return new Presence(this, channel, { environment: this.#environment, ...options });
  }

  /** "Who is typing" in `channel`: `start()` per keystroke (throttled), `users` of the others typing. */
  typing(channel, options) {
    return new Typing(this, channel, options);
  }

  /** Read and delivery receipts on any channel: batched `markRead` / `markDelivered`, `receipts`, `readBy`. */
  receipts(channel, options) {
    return new Receipts(this, channel, options);
  }

  /** The chat room on `channel` (docs/chat.md): `list`, `send`, `edit`, `delete`, `loadOlder`, `markRead`, `unread`. */
  messages(channel, options) {
    return new Messages(this, channel, { userId: this.#options.user, ...options });
  }

  /**
   * The live collection `name` (docs/entities.md): sorted `records`, optimistic `create`, `update`, `patch`,
   * `delete` with rollback, `conflict` handling. One object per name.
   */
  collection(name, options) {
    let collection = this.#collections.get(name);
    if (!collection) this.#collections.set(name, (collection = new Collection(this, name, options)));
    return collection;
  }

  /**
   * Sends a command and resolves with its reply frame, or rejects with a TandemError (the server's `error`
   * code, or `timeout`, `disconnected`, `queue_full`, `offline`, `closed`). While disconnected the command
   * waits in the bounded offline queue (`queue: false` fails fast instead). `timeout` counts from sending.
   */
  request(frame, { timeout, queue = true, idempotent } = {}) {
    if (this.#final) return Promise.reject(new TandemError('closed', 'client is closed'));
    const requestId = String(++this.#requestIds);
    return new Promise((resolve, reject) => {
      const entry = {
        frame: { ...frame, requestId },
        resolve,
        reject,
        timeout: timeout ?? this.#options.requestTimeout,
        requeue: queue !== false && (idempotent ?? (IDEMPOTENT_TYPES.has(frame.type) || frame.clientMsgId != null)),
        timer: null,
      };
      if (this.#isOpen()) {
        this.#pending.set(requestId, entry);
        this.#transmit(entry);
      } else if (queue === false) {
        reject(new TandemError('offline', `not connected: ${frame.type} was not sent`));
      } else if (this.#queue.length >= this.#options.maxQueue) {
        reject(new TandemError('queue_full', `offline queue is full (${this.#options.maxQueue} commands)`));
      } else {
        this.#pending.set(requestId, entry);
        this.#queue.push(entry);
      }
    });
  }

  /**
   * Sends a command the server does not answer when it succeeds (`presence:update`, `presence:heartbeat`,
   * `typing`, `receipt`, ...), only while connected: returns false when it was not sent (nothing is queued;
   * the helpers that use it re-send their state after a reconnect). `onError(TandemError)` hears the server's
   * `error` for it, if one comes within `requestTimeout`.
   */
  send(frame, { onError } = {}) {
    if (!this.#isOpen()) return false;
    const requestId = `n${++this.#requestIds}`;
    if (onError) {
      const timer = setTimeout(() => this.#oneWay.delete(requestId), this.#options.requestTimeout);
      this.#oneWay.set(requestId, { onError, timer });
    }
    this.#conn.link.send({ ...frame, requestId });
    return true;
  }

  /** Number of commands waiting for a connection. */
  get queued() {
    return this.#queue.length;
  }

  /** Closes for good (until `connect()` is called again): pending and queued commands fail with `closed`. */
  close() {
    this.#stop('client closed');
  }

  // ---- connection lifecycle -------------------------------------------------------------------------

  async #attempt() {
    const id = ++this.#attempts;
    if (this.#isBrowserOffline()) {
      this.status.set('offline');
      return;
    }
    const params = { user: this.#options.user };
    try {
      if (this.#options.getToken) this.#token = await this.#options.getToken();
    } catch (error) {
      if (id !== this.#attempts || !this.#started) return;
      this.emit('error', new TandemError('unauthorized', `token provider failed: ${error?.message ?? error}`));
      this.#scheduleReconnect();
      return;
    }
    if (id !== this.#attempts || !this.#started) return;
    params.token = this.#token;
    const transport = this.#circuits.pick();
    this.#transport = transport;
    const conn = {
      id, transport, link: null, ready: false, info: null, disconnect: null, lastReceived: Date.now(), pinging: false,
      notBefore: 0,
    };
    this.#conn = conn;
    try {
      conn.link = transport.open({
        url: this.#options.url,
        params,
        onOpen: () => {},
        onFrame: (frame) => this.#onFrame(conn, frame),
        onClose: (info) => this.#onClose(conn, info),
      });
    } catch (error) {
      this.#onClose(conn, { code: 1006, reason: String(error?.message ?? error) });
    }
  }

  #onFrame(conn, frame) {
    if (conn !== this.#conn || frame === null || typeof frame !== 'object') return;
    conn.lastReceived = Date.now();
    const hint = frame.payload?.retryAfter;
    if (frame.type === 'error' && typeof hint === 'number' && hint > 0) {
      conn.notBefore = Math.max(conn.notBefore, conn.lastReceived + hint); // a reconnect waits at least this long
    }
    if (frame.type === 'connected' && !conn.ready) {
      this.#onConnected(conn, frame.payload ?? {});
      return;
    }
    if (frame.type === 'disconnect') {
      conn.disconnect = frame.payload ?? null;
      return;
    }
    const entry = frame.requestId != null ? this.#pending.get(String(frame.requestId)) : undefined;
    if (entry) {
      this.#settle(String(frame.requestId), entry, frame);
    } else if (frame.requestId != null && this.#oneWay.has(String(frame.requestId))) {
      const { onError, timer } = this.#oneWay.get(String(frame.requestId));
      this.#oneWay.delete(String(frame.requestId));
      clearTimeout(timer);
      if (frame.type === 'error') {
        const { code = 'internal', message = 'server error' } = frame.payload ?? {};
        onError(new TandemError(code, message, frame));
      }
    } else if (frame.requestId != null) {
      // a reply that arrived after its command timed out: nobody waits for it any more
    } else if (frame.type === 'error') {
      const { code = 'internal', message = 'server error' } = frame.payload ?? {};
      this.emit('error', new TandemError(code, message, frame));
    } else if (frame.channel !== undefined && this.#channels.has(frame.channel)) {
      this.#channels.get(frame.channel)._receive(frame);
    }
    this.emit('frame', frame);
  }

  #onConnected(conn, info) {
    conn.ready = true;
    conn.info = info;
    this.#circuits.succeeded(conn.transport);
    this.#everOpened = true;
    this.#timers.stable = setTimeout(() => this.#backoff.reset(), this.#options.stableAfter);
    this.#startHeartbeat(conn, this.#options.heartbeatInterval ?? info.pingInterval ?? 25000);
    this.#scheduleRefresh();
    this.status.set('open');
    this.emit('connected', info);
    for (const channel of this.#active) channel._resubscribe();
    for (const entry of this.#queue.splice(0)) {
      if (this.#conn !== conn) {
        this.#queue.push(entry); // the connection dropped while flushing: keep the rest, in order
      } else {
        this.#transmit(entry);
      }
    }
  }

  #onClose(conn, { code, reason, retryAfter }) {
    if (conn !== this.#conn) return;
    this.#conn = null;
    this.#clearConnectionTimers();
    const told = conn.disconnect;
    const info = {
      code: told?.code ?? code,
      reason: told?.reason ?? reason ?? '',
      reconnect: told ? told.reconnect !== false : !FINAL_CLOSE_CODES.has(code),
    };
    const wait = this.#retryAfter(conn, info.code, told?.retryAfter, retryAfter);
    if (wait > 0) info.retryAfter = wait;
    if (!conn.ready && info.code !== TRY_AGAIN_LATER) this.#onFailedOpen(conn.transport);
    this.#failInFlight(conn);
    for (const channel of this.#channels.values()) channel._connectionLost();
    this.emit('disconnected', info);
    if (!info.reconnect) {
      this.#stop(`server closed the connection: ${info.code} ${info.reason}`.trim(), info.code);
      return;
    }
    this.#scheduleReconnect(wait);
  }

  /**
   * How long the server asked us to stay away (ms, 0 for no hint): the longest of what is left of an `error`
   * frame's `retryAfter` on this connection and the hints of the close itself (the `disconnect` frame's
   * `retryAfter`, HTTP `Retry-After`); 2 s for a 1013 that gave none.
   */
  #retryAfter(conn, code, ...closeHints) {
    let wait = Math.max(0, conn.notBefore - Date.now());
    for (const hint of closeHints) {
      if (typeof hint === 'number' && hint > wait) wait = hint;
    }
    if (code === TRY_AGAIN_LATER && wait === 0) wait = TRY_AGAIN_LATER_DELAY;
    return wait;
  }

  /** A transport that keeps failing to open is skipped for a cool-down: the next one gets the turn (WebSocket → SSE → ...). */
  #onFailedOpen(transport) {
    if (!this.#circuits.failed(transport)) return;
    const to = this.#circuits.pick();
    if (to !== transport) this.emit('fallback', { from: transport.name, to: to.name });
  }

  #failInFlight(conn) {
    const requeue = [];
    for (const [requestId, entry] of this.#pending) {
      if (entry.conn !== conn) continue;
      clearTimeout(entry.timer);
      entry.conn = null;
      if (entry.requeue) {
        requeue.push(entry);
      } else {
        this.#pending.delete(requestId);
        entry.reject(new TandemError('disconnected', `connection lost before the reply to ${entry.frame.type}`));
      }
    }
    this.#queue.unshift(...requeue);
  }

  /** Reconnects after the backoff's jittered delay, which starts at `notBefore` ms when the server gave a hint. */
  #scheduleReconnect(notBefore = 0) {
    clearTimeout(this.#timers.reconnect);
    if (this.#isBrowserOffline()) {
      this.status.set('offline');
      return;
    }
    this.status.set(this.#everOpened ? 'reconnecting' : 'connecting');
    const attempt = this.#backoff.attempt;
    const delay = this.#backoff.next(notBefore);
    this.emit('retry', notBefore > 0 ? { attempt, delay, retryAfter: notBefore } : { attempt, delay });
    this.#timers.reconnect = setTimeout(() => this.#attempt(), delay);
  }

  /** @internal drops the current connection as if the network had; the normal reconnect path follows. */
  _drop(reason) {
    const conn = this.#conn;
    if (!conn) return;
    if (conn.link) conn.link.close(CLIENT_DROP, reason.slice(0, 120));
    this.#onClose(conn, { code: CLIENT_DROP, reason });
  }

  #stop(reason, code = 1000) {
    const wasStarted = this.#started;
    this.#started = false;
    this.#final = true;
    clearTimeout(this.#timers.reconnect);
    this.#clearConnectionTimers();
    if (typeof this.#environment.removeEventListener === 'function') {
      this.#environment.removeEventListener('online', this.#onOnline);
      this.#environment.removeEventListener('offline', this.#onOffline);
    }
    const conn = this.#conn;
    this.#conn = null;
    if (conn?.link) conn.link.close(1000, 'client closed');
    for (const entry of this.#pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new TandemError('closed', reason));
    }
    this.#pending.clear();
    this.#queue.length = 0;
    for (const channel of this.#channels.values()) channel._connectionLost();
    this.status.set('closed');
    if (wasStarted && code !== 1000) this.emit('error', new TandemError('closed', reason));
  }

  // ---- browser network events --------------------------------------------------------------------------

  #isBrowserOffline() {
    return this.#environment.navigator?.onLine === false;
  }

  #online() {
    if (!this.#started || this.#conn) return;
    clearTimeout(this.#timers.reconnect);
    this.status.set(this.#everOpened ? 'reconnecting' : 'connecting');
    this.#attempt();
  }

  #offline() {
    if (!this.#started) return;
    clearTimeout(this.#timers.reconnect);
    if (this.#conn) {
      this._drop('browser went offline');
    } else {
      this.status.set('offline');
    }
  }

  // ---- heartbeat and token refresh ---------------------------------------------------------------------

  /** Pings when nothing arrived for `interval`; a ping without a reply in `heartbeatTimeout` means a dead link. */
  #startHeartbeat(conn, interval) {
    this.#timers.heartbeat = setInterval(() => {
      if (conn !== this.#conn || conn.pinging || Date.now() - conn.lastReceived < interval) return;
      conn.pinging = true;
      this.request({ type: 'ping' }, { queue: false, timeout: this.#options.heartbeatTimeout })
        .then(() => { conn.pinging = false; })
        .catch((error) => {
          if (error.code === 'timeout' && conn === this.#conn) this._drop('heartbeat timeout');
        });
    }, Math.max(10, Math.floor(interval / 2)));
  }

  /** With a token provider and a JWT carrying `exp`, fetches a new token before expiry and sends `refresh`. */
  #scheduleRefresh() {
    const expiresAt = jwtExpiry(this.#token);
    if (!this.#options.getToken || !expiresAt) return;
    const margin = this.#options.refreshMargin ?? 30000;
    const delay = Math.max(1000, expiresAt - Date.now() - margin);
    this.#timers.refresh = setTimeout(async () => {
      try {
        this.#token = await this.#options.getToken();
        await this.request({ type: 'refresh', token: this.#token }, { queue: false });
        this.#scheduleRefresh();
      } catch (error) {
        this.emit('error', error instanceof TandemError ? error : new TandemError('unauthorized', String(error)));
      }
    }, Math.min(delay, 2 ** 31 - 1));
  }

  #clearConnectionTimers() {
    clearTimeout(this.#timers.stable);
    clearInterval(this.#timers.heartbeat);
    clearTimeout(this.#timers.refresh);
  }

  // ---- requests ------------------------------------------------------------------------------------------

  #transmit(entry) {
    const conn = this.#conn;
    entry.conn = conn;
    const requestId = entry.frame.requestId;
    entry.timer = setTimeout(() => {
      if (this.#pending.get(requestId) !== entry) return;
      this.#pending.delete(requestId);
      entry.reject(new TandemError('timeout', `no reply to ${entry.frame.type} within ${entry.timeout} ms`));
    }, entry.timeout);
    conn.link.send(entry.frame);
  }

  #settle(requestId, entry, frame) {
    clearTimeout(entry.timer);
    this.#pending.delete(requestId);
    if (frame.type === 'error') {
      const { code = 'internal', message = 'server error' } = frame.payload ?? {};
      entry.reject(new TandemError(code, message, frame));
    } else {
      entry.resolve(frame);
    }
  }

  #isOpen() {
    return Boolean(this.#conn?.ready);
  }

  // ---- channel hooks ---------------------------------------------------------------------------------------

  /** @internal */
  _isOpen() {
    return this.#isOpen();
  }

  /** @internal the server's base URL, for the helpers' HTTP calls. */
  _baseUrl() {
    return this.#options.url;
  }

  /** @internal the token in use (for `Authorization: Bearer` on HTTP calls), if any. */
  _token() {
    return this.#token;
  }

  /** @internal */
  _track(channel) {
    this.#active.add(channel);
  }

  /** @internal */
  _untrack(channel) {
    this.#active.delete(channel);
  }

  /** @internal */
  _channelError(channel, error) {
    this.emit('error', error);
  }
}

function jwtExpiry(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const exp = JSON.parse(json).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}
