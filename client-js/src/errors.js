/**
 * Every failure the SDK reports: `code` is a server error code (`bad_request`, `forbidden`, `conflict`, ...)
 * or a client-side one: `timeout` (no reply in time), `disconnected` (the connection dropped before the reply
 * of a command that is not safe to resend), `queue_full` (offline queue at its bound), `offline` (issued while
 * disconnected with `queue: false`), `closed` (the client was closed). `retryAfter` (ms) is the server's hint
 * of when to try again, on refusals for load or an unavailable dependency (`unavailable`, `rate_limited`).
 */
export class TandemError extends Error {
  constructor(code, message, frame = undefined) {
    super(message);
    this.name = 'TandemError';
    this.code = code;
    this.frame = frame;
    const hint = frame?.payload?.retryAfter;
    if (typeof hint === 'number' && hint > 0) this.retryAfter = hint;
  }
}
