import { Emitter } from './emitter.js';
import { Value } from './value.js';

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'];
/** A single member event is a diff with one entry: which of its lists. */
const SINGLE_EVENTS = new Map([
  ['presence:join', 'joins'], ['presence:update', 'updates'], ['presence:leave', 'leaves'],
]);

/**
 * Who is in a channel (docs/presence.md): `join(state)` makes this connection a member, `members` is the live
 * list of everyone (a `Value` of the server's member objects, sorted by name), `update(state)` changes this
 * connection's state, `leave()` ends it. A heartbeat keeps the entry alive; the status turns `away` while the
 * page is hidden or nobody touched it for `awayAfter`, and `online` again on activity.
 *
 * Design: presence needs a subscription (the server refuses `presence:join` without one), so joining
 * subscribes the channel with a handler of its own. The server forgets a connection's presence when the
 * connection drops, so after every (re)subscribe the helper joins again with its current state and status and
 * takes the `presence:sync` reply as the new truth; the events in between (`presence:join`, `update`, `leave`,
 * and `presence:diff`, the server's batch of them under load: one entry per user, its net change) carry whole
 * members and are applied in order on top of it. A crowded channel (stats mode, docs/presence.md)
 * sends counts instead of joins and leaves: `counts` holds them and `members` is empty until the server sends
 * the list again (a `presence:sync` broadcast when the channel shrinks back).
 */
export class Presence extends Emitter {
  /** Everyone present, this user included: `[{id, name, status, lastSeen, state, connections}]`. */
  members = new Value([]);
  /** This connection's own status: `offline` (not joined), `online` or `away`. */
  status = new Value('offline');
  /** `{users, connections}` while the channel is in stats mode (too crowded for a member list), else null. */
  counts = new Value(null);

  #client;
  #channel;
  #options;
  #state = {};
  #joined = false;
  #byId = new Map();
  #stops = [];
  #heartbeat = null;
  #awayTimer = null;
  #environment;
  #onActivity = () => this.#activity();
  #onVisibility = () => this.#visibility();

  constructor(client, channel, options = {}) {
    super();
    this.#client = client;
    this.#channel = client.channel(channel);
    this.name = channel;
    this.#options = { heartbeatInterval: 30000, awayAfter: 5 * 60000, ...options };
    this.#environment = options.environment ?? globalThis;
  }

  /** Joins with `state` (a JSON object, e.g. `{name, color}`); resolves with the members once the server listed them. */
  async join(state = this.#state) {
    this.#state = { ...state };
    if (!this.#joined) {
      this.#joined = true;
      this.#stops.push(this.#channel.subscribe(() => {}));
      this.#stops.push(this.#channel.on('subscribed', () => this.#rejoin()));
      this.#stops.push(this.#channel.on('ephemeral', (frame) => this.#event(frame)));
      this.#watchActivity();
      // Timers run only while connected, so a closed client leaves nothing behind that keeps a process alive.
      this.#stops.push(this.#client.status.subscribe((status) => {
        clearInterval(this.#heartbeat);
        this.#heartbeat = null;
        if (status === 'open') this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatInterval);
        if (status === 'closed') clearTimeout(this.#awayTimer);
      }));
      this.status.set(this.#isHidden() ? 'away' : 'online');
      this.#armAway();
      if (this.#channel.state !== 'subscribed') {
        await this.#nextSync(); // the subscribe's 'subscribed' event joins
        return this.members.get();
      }
    }
    await this.#rejoin();
    return this.members.get();
  }

  #nextSync() {
    return new Promise((resolve, reject) => {
      const stops = [
        this.on('sync', () => { stops.forEach((stop) => stop()); resolve(); }),
        this.on('stats', () => { stops.forEach((stop) => stop()); resolve(); }),
        this.on('error', (error) => { stops.forEach((stop) => stop()); reject(error); }),
      ];
    });
  }

  /** Replaces this connection's state (sent at once while connected, and on every rejoin). */
  update(state) {
    this.#state = { ...state };
    if (this.#joined) this.#client.send({ type: 'presence:update', channel: this.name, payload: { state: this.#state } });
  }

  /** Sets this connection's status by hand (`online` or `away`); activity tracking goes on. */
  setStatus(status) {
    if (!this.#joined || this.status.get() === status) return;
    this.status.set(status);
    this.#client.send({ type: 'presence:update', channel: this.name, payload: { status } });
  }

  /** The member `id`, or undefined. */
  member(id) {
    return this.#byId.get(id);
  }

  /** Leaves the channel's presence (and drops the subscription presence held). */
  leave() {
    if (!this.#joined) return;
    this.#joined = false;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#awayTimer);
    this.#unwatchActivity();
    this.#client.send({ type: 'presence:leave', channel: this.name });
    for (const stop of this.#stops.splice(0)) stop();
    this.#byId.clear();
    this.members.set([]);
    this.counts.set(null);
    this.status.set('offline');
  }

  async #rejoin() {
    if (!this.#joined || !this.#client._isOpen()) return;
    try {
      const reply = await this.#client.request(
        { type: 'presence:join', channel: this.name, payload: { state: this.#state } }, { queue: false });
      if (!this.#joined) return;
      if (this.status.get() === 'away') {
        this.#client.send({ type: 'presence:update', channel: this.name, payload: { status: 'away' } });
      }
      this.#replace(reply);
    } catch (error) {
      if (error.code !== 'disconnected' && error.code !== 'closed' && error.code !== 'offline') this.emit('error', error);
    }
  }

  /** A member list (`presence:sync`) or counts (`presence:stats`) that replace what we had. */
  #replace(frame) {
    this.#byId.clear();
    const crowded = frame.type === 'presence:stats';
    if (!crowded) for (const member of frame.payload?.users ?? []) this.#byId.set(member.id, member);
    this.counts.set(crowded ? { users: frame.payload.users, connections: frame.payload.connections } : null);
    this.#publish();
    if (crowded) this.emit('stats', this.counts.get());
    else this.emit('sync', this.members.get());
  }

  #event(frame) {
    if (!this.#joined) return;
    if (frame.type === 'presence:sync' || frame.type === 'presence:stats') {
      this.#replace(frame);
      return;
    }
    if (frame.type === 'presence:diff') {
      this.#apply(frame.payload ?? {});
      return;
    }
    const list = SINGLE_EVENTS.get(frame.type);
    if (list) this.#apply({ [list]: [frame.payload] });
  }

  /**
   * Member events, a single one or a server batch (`presence:diff`, at most one entry per user): the list is
   * changed and published once, then each event is emitted as its own `join` / `update` / `leave`.
   */
  #apply({ joins = [], updates = [], leaves = [] }) {
    // In stats mode nobody's leave is sent, so a list built from joins and updates would only grow.
    const listed = this.counts.get() === null;
    if (listed) for (const member of [...joins, ...updates]) this.#byId.set(member.id, member);
    for (const gone of leaves) this.#byId.delete(gone.id);
    if ((listed && joins.length + updates.length > 0) || leaves.length > 0) this.#publish();
    for (const member of joins) this.emit('join', member);
    for (const member of updates) this.emit('update', member);
    for (const gone of leaves) this.emit('leave', gone);
    // Our own entry expired while we were still connected (a long-frozen tab): join again.
    const me = this.#client.connection?.userId;
    if (leaves.some((gone) => gone.id === me)) queueMicrotask(() => this.#rejoin());
  }

  #publish() {
    const list = [...this.#byId.values()].sort((a, b) => String(a.name ?? a.id).localeCompare(String(b.name ?? b.id)));
    this.members.set(list);
  }

  #beat() {
    this.#client.send({ type: 'presence:heartbeat', channel: this.name },
      { onError: (error) => { if (error.code === 'not_found') this.#rejoin(); } });
  }

  // ---- away detection ------------------------------------------------------------------------------------

  #document() {
    return this.#environment.document;
  }

  #isHidden() {
    return this.#document()?.visibilityState === 'hidden';
  }

  #watchActivity() {
    const env = this.#environment;
    if (typeof env.addEventListener !== 'function') return;
    for (const event of ACTIVITY_EVENTS) env.addEventListener(event, this.#onActivity, { passive: true });
    this.#document()?.addEventListener?.('visibilitychange', this.#onVisibility);
  }

  #unwatchActivity() {
    const env = this.#environment;
    if (typeof env.removeEventListener !== 'function') return;
    for (const event of ACTIVITY_EVENTS) env.removeEventListener(event, this.#onActivity);
    this.#document()?.removeEventListener?.('visibilitychange', this.#onVisibility);
  }

  #armAway() {
    clearTimeout(this.#awayTimer);
    if (this.#client.status.get() === 'closed') return;
    this.#awayTimer = setTimeout(() => this.setStatus('away'), this.#options.awayAfter);
  }

  #activity() {
    if (!this.#joined || this.#isHidden()) return;
    this.#armAway();
    this.setStatus('online');
  }

  #visibility() {
    if (!this.#joined) return;
    if (this.#isHidden()) {
      clearTimeout(this.#awayTimer);
      this.setStatus('away');
    } else {
      this.#activity();
    }
  }
}
