/**
 * The seam between the client and a wire transport. A transport only moves protocol frames (plain objects,
 * shared/PROTOCOL.md) between the client and the server; reconnecting, requests, recovery and queueing live in
 * the client, so every transport gets them for free.
 *
 * A transport is `{ name, open(context) }`. `open` starts one connection attempt and returns a connection
 * `{ send(frame), close(code, reason) }`; it reports through the context:
 *   - `context.url`      the server's base URL (`http:` or `https:`, no trailing slash)
 *   - `context.params`   query parameters for the handshake (`user` in dev mode, `token`)
 *   - `context.onOpen()` the connection can carry frames (the server's `connected` frame follows)
 *   - `context.onFrame(frame)` one parsed server frame
 *   - `context.onClose({code, reason, retryAfter?})` the connection is gone (called once, also when it never
 *                        opened); `retryAfter` (ms) when the server said when to come back (HTTP `Retry-After`)
 *
 * WebSocket is implemented here. The HTTP fallbacks plug in the same way: SSE/HTTP streaming open a
 * `GET /sse` or `/stream` with the same params and call `onFrame` per event; long polling loops `GET /poll`;
 * all three send commands with `POST /session/{connectionId}` where `connectionId` comes from the `connected`
 * frame (they read it from the first frame they receive).
 */

/** Builds the handshake URL of `path` on `base`, switching to `scheme` when given (e.g. `ws`). */
export function endpointUrl(base, path, params, scheme = undefined) {
  const url = new URL(path, base.endsWith('/') ? base : base + '/');
  if (scheme) url.protocol = url.protocol === 'https:' ? `${scheme}s:` : `${scheme}:`;
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(key, value);
  }
  return url.toString();
}

/**
 * The native WebSocket transport on `/ws`. `WebSocket` defaults to the global one (browsers, Node 22+); on
 * Node 20 pass the `ws` package's class.
 */
export function webSocketTransport({ path = '/ws', WebSocket: Impl = globalThis.WebSocket, name = 'websocket' } = {}) {
  return {
    name,
    open(context) {
      if (typeof Impl !== 'function') {
        throw new TypeError('no WebSocket implementation: pass one, e.g. new TandemClient({WebSocket}) with the ws package');
      }
      const socket = new Impl(endpointUrl(context.url, path.replace(/^\//, ''), context.params, 'ws'));
      let closed = false;
      const finish = (code, reason) => {
        if (closed) return;
        closed = true;
        context.onClose({ code, reason });
      };
      socket.onopen = () => context.onOpen();
      socket.onmessage = (event) => {
        if (typeof event.data !== 'string') return;
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return; // the server only sends JSON text; anything else is noise on the wire
        }
        context.onFrame(frame);
      };
      socket.onerror = () => {
        // 'error' is always followed by 'close' in browsers; some Node implementations may not, so close here.
        if (socket.readyState === 3) finish(1006, 'connection error');
      };
      socket.onclose = (event) => finish(event.code || 1006, event.reason || '');
      return {
        send(frame) {
          if (socket.readyState === 1) socket.send(JSON.stringify(frame));
        },
        close(code = 1000, reason = '') {
          try {
            if (socket.readyState <= 1) socket.close(code, reason);
          } catch {
            socket.close();
          }
          finish(code, reason);
        },
      };
    },
  };
}
