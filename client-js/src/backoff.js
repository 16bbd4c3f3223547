/**
 * Reconnect delays: exponential backoff with full jitter. Attempt n (from 0) waits a uniformly random time in
 * [0, min(maxDelay, baseDelay * 2^n)], so a crowd of clients that lost the same server spreads its reconnects
 * instead of arriving together. `reset()` after a stable connection starts again from `baseDelay`.
 */
export class Backoff {
  #attempt = 0;

  constructor({ baseDelay = 1000, maxDelay = 30000, random = Math.random } = {}) {
    if (!(baseDelay > 0) || !(maxDelay >= baseDelay)) {
      throw new RangeError(`backoff needs 0 < baseDelay <= maxDelay, got ${baseDelay} and ${maxDelay}`);
    }
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
    this.random = random;
  }

  /** The ceiling of attempt `n`: the base doubled n times, capped. */
  ceiling(n) {
    return Math.min(this.maxDelay, this.baseDelay * 2 ** Math.min(n, 52));
  }

  /** The delay before the next attempt; advances the attempt count. */
  next() {
    const delay = Math.floor(this.random() * this.ceiling(this.#attempt));
    this.#attempt++;
    return delay;
  }

  get attempt() {
    return this.#attempt;
  }

  reset() {
    this.#attempt = 0;
  }
}
