/**
 * Which transport the client tries next, with a circuit breaker per transport, so a transport that keeps
 * failing (a proxy that breaks WebSocket upgrades, a blocked endpoint) is skipped for a while instead of
 * costing every reconnect a few failed attempts first.
 *
 * Design: transports are tried in order of preference. `failures` failed opens in a row open a transport's
 * circuit for `cooldown` ms; while it is open `pick()` skips straight to the next transport. Once the cool-down
 * has passed the transport gets one try again (half-open): opening closes its circuit, a failure opens it for
 * another cool-down at once. When every circuit is open, the one that closes soonest is tried anyway: a client
 * never stops trying. A refusal by the server (1013, at capacity) is not the transport's fault and is not
 * counted (the caller decides).
 */
export class TransportCircuits {
  #transports;
  #failures;
  #cooldown;
  #now;
  #state;

  constructor(transports, { failures = 2, cooldown = 60000, now = Date.now } = {}) {
    if (!(failures >= 1) || !(cooldown >= 0)) {
      throw new RangeError(`transport circuits need failures >= 1 and cooldown >= 0, got ${failures} and ${cooldown}`);
    }
    this.#transports = transports;
    this.#failures = failures;
    this.#cooldown = cooldown;
    this.#now = now;
    this.#state = new Map(transports.map((transport) => [transport, { failed: 0, openUntil: 0 }]));
  }

  /** The transport to try now: the first whose circuit is not open, else the one whose cool-down ends first. */
  pick() {
    const now = this.#now();
    let soonest = null;
    for (const transport of this.#transports) {
      const state = this.#state.get(transport);
      if (state.openUntil <= now) return transport;
      if (soonest === null || state.openUntil < this.#state.get(soonest).openUntil) soonest = transport;
    }
    return soonest;
  }

  /** `transport` failed to open; returns true when this opened its circuit. */
  failed(transport) {
    const state = this.#state.get(transport);
    const halfOpen = state.openUntil > 0;
    state.failed++;
    if (!halfOpen && state.failed < this.#failures) return false;
    state.failed = 0;
    state.openUntil = this.#now() + this.#cooldown;
    return true;
  }

  /** `transport` opened: its circuit closes. */
  succeeded(transport) {
    const state = this.#state.get(transport);
    state.failed = 0;
    state.openUntil = 0;
  }
}
