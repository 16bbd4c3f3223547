import { Emitter } from './emitter.js';
import { Receipts } from './receipts.js';
import { Value } from './value.js';

/**
 * A chat room on a durable channel (docs/chat.md): the live, seq-ordered list of messages with send (idempotent
 * through `clientMsgId`, shown at once as pending), edit, delete, paging back through history, read and delivery
 * receipts (sent at most every `receiptInterval`, 2 s), who has read what, and the unread count.
 *
 * Design: the list is a projection of the channel's sequenced events. `message.new` adds (or replaces the
 * pending entry with the same `clientMsgId`), `message.edit` / `message.delete` change the message they name.
 * The channel delivers each live event exactly once and in order, across reconnects, so the projection stays
 * exact without the helper doing anything on a reconnect. History pages hold messages as stored, with edits
 * and deletions already applied, so from a page only `message.new` entries are taken, and never over a
 * message the live stream has already shown. After `unrecovered` (events lost for good) the list is reloaded.
 * Unread is counted on the client: others' messages after this user's read position (`readUpTo`, which
 * `markRead` advances; pass the stored value as an option to start from it). Receipts are a `Receipts`.
 */
export class Messages extends Emitter {
  /** The messages, oldest first: `{id, seq, userId, content, clientMsgId, createdAt, editedAt?, deleted?, pending?}`. */
  list = new Value([]);
  /** Others' messages after this user's read position that are not deleted. */
  unread = new Value(0);
  #client;
  #channel;
  #options;
  #byId = new Map();
  #pending = new Map(); // clientMsgId -> entry
  #oldest = null; // seq of the oldest message loaded through history
  #loaded = false;
  #more = true;
  #receipts;
  #stops = [];

  constructor(client, channel, options = {}) {
    super();
    this.#client = client;
    this.#channel = client.channel(channel);
    this.name = channel;
    this.#options = { pageSize: 50, receiptInterval: 2000, autoDelivered: true, ...options };
    this.#receipts = new Receipts(client, channel, { interval: this.#options.receiptInterval, readUpTo: options.readUpTo ?? 0 });
    this.receipts = this.#receipts.receipts;
    this.#stops.push(() => this.#receipts.close());
    this.#stops.push(this.#receipts.on('receipt', (receipt) => this.emit('receipt', receipt)));
    this.#stops.push(this.#receipts.on('error', (error) => this.emit('error', error)));
    this.#stops.push(this.#channel.subscribe((event) => this.#live(event)));
    this.#stops.push(this.#channel.on('subscribed', ({ seq, resumed }) => {
      if (!this.#loaded && !resumed) this.#loadLatest(seq);
    }));
    this.#stops.push(this.#channel.on('unrecovered', ({ seq }) => this.#reload(seq)));
  }

  /** Whether older messages may exist before the oldest one loaded (`loadOlder()` fetches them). */
  get hasMore() {
    return this.#more;
  }

  /** This user's read position (a seq). */
  get readUpTo() {
    return this.#receipts.readUpTo;
  }

  /**
   * Sends `content`; the message shows at once with `pending: true` and becomes the real one when the channel
   * delivers it. Resolves with the ack payload `{id, seq, duplicate}`. Queued while offline and resent after a
   * drop: the `clientMsgId` (generated, or given) makes a repeat harmless.
   */
  async send(content, { clientMsgId = newClientMsgId(), ...options } = {}) {
    const me = this.#client.connection?.userId ?? this.#options.userId;
    const entry = { id: null, seq: null, userId: me, content, clientMsgId, createdAt: Date.now(), pending: true };
    this.#pending.set(clientMsgId, entry);
    this.#publish();
    try {
      const ack = await this.#client.request(
        { type: 'message.send', channel: this.name, clientMsgId, payload: { content } }, options);
      // A repeat of a message already stored (another device, a retried send): no new event will replace it.
      if (ack.payload?.duplicate && this.#pending.delete(clientMsgId)) this.#publish();
      return ack.payload;
    } catch (error) {
      if (this.#pending.delete(clientMsgId)) this.#publish();
      throw error;
    }
  }

  /** Changes the text of one of this user's messages; resolves with `{seq}`. */
  async edit(id, content, options = {}) {
    const ack = await this.#client.request({ type: 'message.edit', channel: this.name, payload: { id, content } }, options);
    return ack.payload;
  }

  /** Deletes a message (this user's own, or any as a moderator); resolves with `{seq}`. */
  async delete(id, options = {}) {
    const ack = await this.#client.request({ type: 'message.delete', channel: this.name, payload: { id } }, options);
    return ack.payload;
  }

  /** Loads the page of messages before the oldest one loaded; resolves with how many were added. */
  async loadOlder({ limit = this.#options.pageSize } = {}) {
    if (this.#oldest === null) return 0;
    return this.#page(this.#oldest, limit);
  }

  /** Marks everything up to `upTo` (default: the newest message) as read; the receipt goes out batched. */
  markRead(upTo = this.#newestSeq()) {
    this.#receipts.markRead(upTo);
    this.#countUnread();
  }

  /** The users (other than the author and this user) whose read position has reached `seq`. */
  readBy(seq) {
    const message = this.list.get().find((m) => m.seq === seq);
    return this.#receipts.readBy(seq, [this.#client.connection?.userId, message?.userId]);
  }

  /** Stops following the channel (drops the subscription the helper held). */
  close() {
    for (const stop of this.#stops.splice(0)) stop();
  }

  // ---- the projection -----------------------------------------------------------------------------------

  #live(event) {
    if (event.type === 'message.new') {
      this.#add(event, true);
      if (this.#options.autoDelivered && event.payload?.userId !== this.#client.connection?.userId) {
        this.#receipts.markDelivered(event.seq);
      }
    } else if (event.type === 'message.edit') {
      const message = this.#byId.get(event.payload?.id);
      if (!message) return;
      this.#byId.set(message.id, { ...message, content: event.payload.content, editedAt: event.payload.editedAt });
    } else if (event.type === 'message.delete') {
      const message = this.#byId.get(event.payload?.id);
      if (!message) return;
      this.#byId.set(message.id, { id: message.id, seq: message.seq, userId: message.userId, createdAt: message.createdAt,
        deleted: true, deletedAt: event.payload.deletedAt });
    } else {
      return;
    }
    this.#publish();
    this.emit(event.type.slice('message.'.length), event.payload);
  }

  /** Adds a `message.new` frame; `live` ones win over what history said about the same message. */
  #add(frame, live) {
    const payload = frame.payload ?? {};
    if (!payload.id || (!live && this.#byId.has(payload.id))) return false;
    this.#byId.set(payload.id, { ...payload, seq: frame.seq });
    if (payload.clientMsgId) this.#pending.delete(payload.clientMsgId);
    return true;
  }

  async #loadLatest(seq) {
    this.#loaded = true;
    if (seq === 0) {
      this.#more = false;
      return;
    }
    await this.#page(seq + 1, this.#options.pageSize);
  }

  async #page(before, limit) {
    let added = 0;
    try {
      const page = await this.#channel.history({ before, limit });
      for (const frame of page.publications) {
        if (frame.type === 'message.new' && this.#add(frame, false)) added++;
      }
      const first = page.publications[0]?.seq;
      if (first !== undefined) this.#oldest = Math.min(this.#oldest ?? Infinity, first);
      else this.#oldest = this.#oldest ?? before;
      this.#more = Boolean(page.more); // the page was cut at `limit`: older events remain
      this.#publish();
    } catch (error) {
      this.emit('error', error);
    }
    return added;
  }

  #reload(seq) {
    this.#byId.clear();
    this.#oldest = null;
    this.#more = true;
    this.#publish();
    this.#loadLatest(seq);
  }

  #publish() {
    const messages = [...this.#byId.values()].sort((a, b) => a.seq - b.seq);
    this.list.set([...messages, ...this.#pending.values()]);
    this.#countUnread();
  }

  #countUnread() {
    const me = this.#client.connection?.userId;
    let unread = 0;
    for (const message of this.#byId.values()) {
      if (message.seq > this.#receipts.readUpTo && !message.deleted && message.userId !== me) unread++;
    }
    this.unread.set(unread);
  }

  #newestSeq() {
    let newest = 0;
    for (const message of this.#byId.values()) newest = Math.max(newest, message.seq);
    return newest;
  }
}

function newClientMsgId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}
