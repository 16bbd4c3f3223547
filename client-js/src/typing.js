import { Value } from './value.js';

/**
 * "Who is typing" for a channel (docs/chat.md, Typing). `start()` is called on every keystroke and sends a
 * `typing` command at most every `interval` (2 s, the server's own pace); `stop()` (message sent, field
 * cleared) makes the next `start()` send at once. `users` is the live list of the others typing,
 * `[{userId, name}]`: each one disappears `timeout` (5 s) after their last `typing` event, or as soon as a
 * message of theirs arrives on the channel.
 *
 * The server sends typing events to subscribers only, so the helper holds a subscription while it is open.
 */
export class Typing {
  /** The others typing now: `[{userId, name}]`, in the order they started. */
  users = new Value([]);

  #client;
  #channel;
  #interval;
  #timeout;
  #lastSent = -Infinity;
  #typists = new Map(); // userId -> {userId, name, timer}
  #stops = [];

  constructor(client, channel, { interval = 2000, timeout = 5000 } = {}) {
    this.#client = client;
    this.#channel = client.channel(channel);
    this.name = channel;
    this.#interval = interval;
    this.#timeout = timeout;
    this.#stops.push(this.#channel.subscribe((event) => {
      const author = event.type === 'message.new' ? event.payload?.userId : event.userId;
      if (author) this.#remove(author);
    }));
    this.#stops.push(this.#channel.on('ephemeral', (frame) => {
      if (frame.type === 'typing') this.#typing(frame.payload ?? {});
    }));
  }

  /** This user is typing: tells the others, at most once per `interval`. Returns whether it sent. */
  start() {
    const now = Date.now();
    if (now - this.#lastSent < this.#interval) return false;
    if (!this.#client.send({ type: 'typing', channel: this.name })) return false;
    this.#lastSent = now;
    return true;
  }

  /** This user stopped typing: the next `start()` sends at once (the others' indicator times out by itself). */
  stop() {
    this.#lastSent = -Infinity;
  }

  /** Stops listening (and drops the subscription the helper held). */
  close() {
    for (const stop of this.#stops.splice(0)) stop();
    for (const typist of this.#typists.values()) clearTimeout(typist.timer);
    this.#typists.clear();
    this.users.set([]);
  }

  #typing({ userId, name }) {
    if (!userId || userId === this.#client.connection?.userId) return;
    const known = this.#typists.get(userId);
    if (known) clearTimeout(known.timer);
    const typist = { userId, name: name ?? userId, timer: setTimeout(() => this.#remove(userId), this.#timeout) };
    this.#typists.set(userId, typist);
    if (!known) this.#publish();
  }

  #remove(userId) {
    const typist = this.#typists.get(userId);
    if (!typist) return;
    clearTimeout(typist.timer);
    this.#typists.delete(userId);
    this.#publish();
  }

  #publish() {
    this.users.set([...this.#typists.values()].map(({ userId, name }) => ({ userId, name })));
  }
}
