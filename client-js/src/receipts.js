import { Emitter } from './emitter.js';
import { Value } from './value.js';

/**
 * Read and delivery receipts on a channel (docs/chat.md, Receipts): `markRead(seq)` / `markDelivered(seq)`
 * move this user's positions forward, and the `receipt` commands go out batched, the first at once and then
 * at most one per `interval` (2 s, the server's own pace), with what was marked while offline sent after
 * reconnecting. `receipts` is what every user told the channel, `{userId: {read, delivered}}`, and
 * `readBy(seq)` who has read up to a seq. Works on any channel (seqs of publications or of chat messages).
 *
 * Receipt events are sent to subscribers only, so the helper holds a subscription while it is open.
 */
export class Receipts extends Emitter {
  /** What every user has told the channel: `{userId: {read, delivered}}` (seq positions). */
  receipts = new Value({});

  #client;
  #channel;
  #interval;
  #read;
  #delivered = 0;
  #sent;
  #timer = null;
  #stops = [];

  constructor(client, channel, { interval = 2000, readUpTo = 0 } = {}) {
    super();
    this.#client = client;
    this.#channel = client.channel(channel);
    this.name = channel;
    this.#interval = interval;
    this.#read = readUpTo;
    this.#sent = { read: readUpTo, delivered: 0 };
    this.#stops.push(this.#channel.subscribe(() => {}));
    this.#stops.push(this.#channel.on('subscribed', () => this.#flush()));
    this.#stops.push(this.#channel.on('ephemeral', (frame) => {
      if (frame.type === 'receipt') this.#receive(frame.payload ?? {});
    }));
  }

  /** This user's read position. */
  get readUpTo() {
    return this.#read;
  }

  /** Marks everything up to `upTo` as read (reading implies delivery). */
  markRead(upTo) {
    if (!(upTo > this.#read)) return;
    this.#read = upTo;
    this.#delivered = Math.max(this.#delivered, upTo);
    this.#schedule();
  }

  /** Marks everything up to `upTo` as delivered (announced only while ahead of read). */
  markDelivered(upTo) {
    if (!(upTo > this.#delivered)) return;
    this.#delivered = upTo;
    this.#schedule();
  }

  /** The users whose read position has reached `seq`, except those in `exclude` (the author, yourself). */
  readBy(seq, exclude = [this.#client.connection?.userId]) {
    return Object.entries(this.receipts.get())
      .filter(([userId, r]) => r.read >= seq && !exclude.includes(userId))
      .map(([userId]) => userId);
  }

  close() {
    clearTimeout(this.#timer);
    for (const stop of this.#stops.splice(0)) stop();
  }

  #schedule() {
    if (this.#timer) return;
    this.#flush();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#unsent()) this.#schedule();
    }, this.#interval);
  }

  #unsent() {
    return this.#read > this.#sent.read || this.#delivered > Math.max(this.#sent.delivered, this.#read);
  }

  #flush() {
    if (this.#read > this.#sent.read && this.#send('read', this.#read)) this.#sent.read = this.#read;
    if (this.#delivered > Math.max(this.#sent.delivered, this.#read) && this.#send('delivered', this.#delivered)) {
      this.#sent.delivered = this.#delivered;
    }
  }

  #send(kind, upTo) {
    return this.#client.send({ type: 'receipt', channel: this.name, payload: { kind, upTo } },
      { onError: (error) => this.emit('error', error) });
  }

  #receive({ userId, kind, upTo }) {
    if (!userId || typeof upTo !== 'number' || (kind !== 'read' && kind !== 'delivered')) return;
    const all = { ...this.receipts.get() };
    const user = { read: 0, delivered: 0, ...all[userId] };
    user[kind] = Math.max(user[kind], upTo);
    user.delivered = Math.max(user.delivered, user.read);
    all[userId] = user;
    this.receipts.set(all);
    this.emit('receipt', { userId, kind, upTo });
  }
}
