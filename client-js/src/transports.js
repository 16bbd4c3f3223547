/**
 * Which transports a client tries, in which order. `options.transports` lists transport objects or names:
 * `websocket`, `sse`, `stream`, `long-polling`, `short-polling`. The default is WebSocket → SSE → HTTP
 * streaming → long polling; WebSocket is left out where there is no implementation (Node 20 without the `ws`
 * package), and SSE uses EventSource where there is one (browsers), fetch otherwise.
 */
import { longPollingTransport, shortPollingTransport, sseTransport, streamTransport } from './http-transports.js';
import { webSocketTransport } from './transport.js';

export const DEFAULT_TRANSPORTS = Object.freeze(['websocket', 'sse', 'stream', 'long-polling']);

const FACTORIES = {
  websocket: (options) => webSocketTransport({ WebSocket: options.WebSocket }),
  sse: (options) => sseTransport({ EventSource: options.EventSource, fetch: options.fetch }),
  stream: (options) => streamTransport({ fetch: options.fetch }),
  'long-polling': (options) => longPollingTransport({ fetch: options.fetch }),
  'short-polling': (options) => shortPollingTransport({ fetch: options.fetch }),
};

/** The transport objects for a client's options (see the module comment). */
export function resolveTransports(options) {
  const hasWebSocket = typeof (options.WebSocket ?? globalThis.WebSocket) === 'function';
  const wanted = options.transports ?? DEFAULT_TRANSPORTS.filter((name) => name !== 'websocket' || hasWebSocket);
  const transports = wanted.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const factory = FACTORIES[entry];
    if (!factory) throw new TypeError(`unknown transport '${entry}': use one of ${Object.keys(FACTORIES).join(', ')}`);
    if (entry === 'websocket' && !hasWebSocket) {
      throw new TypeError('no WebSocket implementation here: pass one, e.g. new TandemClient({url, WebSocket}) with the ws package');
    }
    return factory(options);
  });
  if (transports.length === 0) throw new TypeError('TandemClient needs at least one transport');
  return transports;
}
