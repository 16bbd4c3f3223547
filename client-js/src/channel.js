import { Emitter } from './emitter.js';

const HISTORY_PAGE = 100;
const MAX_BUFFERED = 10000;

/**
 * One channel as the application sees it: its handlers get every sequenced event exactly once, in `seq`
 * order, across reconnects.
 *
 * Design: the channel keeps its position `{seq, epoch}` = the last event handed to the app. Each sequenced
 * frame is delivered only when its seq is position + 1; a frame at or below the position is a duplicate and
 * dropped; a frame beyond it is buffered and the hole is fetched with `history {after: position}` (paged),
 * after which the buffer drains. On every (re)connect the subscription is renewed with `since: position`, so
 * the server replays what was missed; when it cannot (`recovered: false` after a resume, or history that no
 * longer reaches back), the channel emits `unrecovered` and jumps to the server's position: the app reloads.
 */
export class Channel extends Emitter {
  #client;
  #handlers = new Set();
  #position = null; // {seq, epoch} of the last delivered event, or null before the first subscribe
  #state = 'idle'; // idle | subscribing | subscribed | failed
  #buffer = new Map(); // seq -> frame, events beyond a hole
  #filling = false;
  #generation = 0; // bumps on each (re)subscribe so stale replies are ignored

  /** Counters for tests and diagnostics. */
  stats = { delivered: 0, duplicates: 0, gapFills: 0, resumes: 0, unrecovered: 0 };

  constructor(client, name) {
    super();
    this.#client = client;
    this.name = name;
  }

  /** `{seq, epoch}` of the last event delivered, or null. */
  get position() {
    return this.#position && { ...this.#position };
  }

  get state() {
    return this.#state;
  }

  /**
   * Calls `handler(frame)` for each sequenced event (`publication`, and the services' sequenced events) and
   * subscribes on the server when this is the first handler. `options.since` resumes from a stored position.
   * Returns the function that removes the handler (and unsubscribes when it was the last one).
   */
  subscribe(handler, { since } = {}) {
    if (typeof handler !== 'function') throw new TypeError('subscribe(handler): handler must be a function');
    if (since && !this.#position) this.#position = { seq: since.seq, epoch: since.epoch };
    this.#handlers.add(handler);
    if (this.#handlers.size === 1) {
      this.#client._track(this);
      if (this.#client._isOpen()) this._resubscribe();
    }
    return () => this.#unsubscribe(handler);
  }

  /**
   * Publishes `payload`; resolves with the `ack` (its `payload.seq`). Queued while offline. With
   * `options.clientMsgId` the server can drop a repeat, so the publish is also resent after a drop.
   */
  publish(payload, { clientMsgId, ...options } = {}) {
    return this.#client.request({ type: 'publish', channel: this.name, payload, clientMsgId }, options);
  }

  /** One page of history: `{after}`, `{before}` or neither (newest), `limit` up to 100. */
  async history({ after, before, limit } = {}, options = {}) {
    const reply = await this.#client.request({ type: 'history', channel: this.name, after, before, limit },
      { idempotent: true, ...options });
    return reply.payload;
  }

  #unsubscribe(handler) {
    if (!this.#handlers.delete(handler) || this.#handlers.size > 0) return;
    this.#generation++;
    const wasActive = this.#state === 'subscribed' || this.#state === 'subscribing';
    this.#state = 'idle';
    this.#buffer.clear();
    this.#client._untrack(this);
    if (wasActive && this.#client._isOpen()) {
      this.#client.request({ type: 'unsubscribe', channel: this.name }, { queue: false }).catch(() => {});
    }
  }

  /** @internal the connection is open (again): (re)subscribe, resuming from the position when there is one. */
  _resubscribe() {
    if (this.#handlers.size === 0) return;
    const generation = ++this.#generation;
    const since = this.#position ? { ...this.#position } : undefined;
    this.#state = 'subscribing';
    this.#buffer.clear();
    this.#filling = false;
    this.#client.request({ type: 'subscribe', channel: this.name, since }, { queue: false })
      .then((reply) => this.#onSubscribed(generation, since, reply.payload))
      .catch((error) => {
        if (generation !== this.#generation || error.code === 'disconnected' || error.code === 'closed') return;
        this.#state = 'failed';
        this.emit('error', error);
        this.#client._channelError(this, error);
      });
  }

  /** @internal the connection dropped: the next open resubscribes. */
  _connectionLost() {
    this.#generation++;
    if (this.#state !== 'failed' && this.#handlers.size > 0) this.#state = 'idle';
    this.#buffer.clear();
    this.#filling = false;
  }

  #onSubscribed(generation, since, { seq, epoch, recovered }) {
    if (generation !== this.#generation) return;
    this.#state = 'subscribed';
    const resumed = Boolean(since);
    if (resumed) this.stats.resumes++;
    if (!recovered || !since || since.epoch !== epoch) {
      this.#position = { seq, epoch };
      if (resumed) this.#lost({ reason: 'resume', since, seq, epoch });
    }
    this.emit('subscribed', { seq, epoch, recovered: Boolean(recovered), resumed });
    this.#drain();
  }

  #lost(info) {
    this.stats.unrecovered++;
    this.emit('unrecovered', info);
  }

  /** @internal a frame for this channel arrived. */
  _receive(frame) {
    if (typeof frame.seq !== 'number') {
      this.emit('ephemeral', frame);
      return;
    }
    if (this.#state !== 'subscribed' && this.#state !== 'subscribing') return;
    if (this.#position && frame.seq <= this.#position.seq) {
      this.stats.duplicates++;
      return;
    }
    if (this.#buffer.has(frame.seq)) {
      this.stats.duplicates++;
      return;
    }
    if (this.#buffer.size >= MAX_BUFFERED) {
      // The hole is not being filled fast enough to hold everything after it: start over from live.
      this.#client._drop('gap buffer overflow on ' + this.name);
      return;
    }
    this.#buffer.set(frame.seq, frame);
    if (this.#state === 'subscribed') this.#drain();
  }

  #drain() {
    for (;;) {
      if (!this.#position) return;
      const next = this.#buffer.get(this.#position.seq + 1);
      if (next) {
        this.#buffer.delete(next.seq);
        this.#deliver(next);
        continue;
      }
      for (const seq of this.#buffer.keys()) {
        if (seq <= this.#position.seq) this.#buffer.delete(seq);
      }
      if (this.#buffer.size > 0 && !this.#filling) this.#fill();
      return;
    }
  }

  #deliver(frame) {
    this.#position = { seq: frame.seq, epoch: this.#position.epoch };
    this.stats.delivered++;
    for (const handler of [...this.#handlers]) {
      try {
        handler(frame);
      } catch (error) {
        queueMicrotask(() => { throw error; });
      }
    }
  }

  /** Fetches the hole after the position with history pages, then drains the buffer. */
  async #fill() {
    const generation = this.#generation;
    this.#filling = true;
    this.stats.gapFills++;
    try {
      for (;;) {
        const after = this.#position.seq;
        const page = await this.history({ after, limit: HISTORY_PAGE }, { queue: false });
        if (generation !== this.#generation) return;
        const first = page.publications[0];
        if (page.epoch !== this.#position.epoch && this.#position.epoch !== undefined) {
          this.#jump({ reason: 'epoch', seq: page.seq, epoch: page.epoch });
          return;
        }
        if (!first || first.seq > after + 1) {
          // History no longer reaches back to the hole: the events in it are gone.
          this.#jump({ reason: 'history', seq: (first ? first.seq : page.seq + 1) - 1, epoch: page.epoch });
          if (!first) return;
        }
        for (const frame of page.publications) {
          if (frame.seq === this.#position.seq + 1) this.#deliver(frame);
        }
        if (!page.more || this.#buffer.has(this.#position.seq + 1)) break;
      }
    } catch (error) {
      if (generation === this.#generation && error.code !== 'disconnected' && error.code !== 'closed') {
        this.emit('error', error);
      }
      return;
    } finally {
      if (generation === this.#generation) this.#filling = false;
    }
    if (generation === this.#generation) this.#drain();
  }

  #jump({ reason, seq, epoch }) {
    const from = this.#position;
    this.#position = { seq, epoch };
    this.#lost({ reason, since: from, seq, epoch });
    this.#drain();
  }
}
