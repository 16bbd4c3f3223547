/**
 * Reconnect delays: exponential backoff with full jitter. Attempt n (from 0) waits a uniformly random time in
 * [0, min(maxDelay, baseDelay * 2^n)], so a crowd of clients that lost the same server spreads its reconnects
 * instead of arriving together. A server's hint (1013 / `Retry-After` / `retryAfter`) is a floor the jitter
 * goes on top of: never sooner than the hint, and a crowd refused together still spreads out. `reset()` after
 * a stable connection starts again from `baseDelay`.
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

  /** The delay before the next attempt, at least `notBefore` ms (a server's hint) plus jitter; advances the attempt count. */
  next(notBefore = 0) {
    const delay = Math.floor(this.random() * this.ceiling(this.#attempt));
    this.#attempt++;
    return notBefore > 0 ? Math.ceil(notBefore) + delay : delay;
  }

  get attempt() {
    return this.#attempt;
  }

  reset() {
    this.#attempt = 0;
  }
}
