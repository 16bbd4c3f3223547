/**
 * The SDK's TandemClient, closed after each test whatever its outcome: a test that fails half-way must not
 * leave a client reconnecting forever (which would keep the test process alive instead of reporting).
 * A test that passes a (fault-injecting) WebSocket class and neither `transports` nor `fetch` gets WebSocket
 * only, so a cut it injects is not quietly bypassed by a fallback to SSE.
 */
import { afterEach } from 'node:test';
import { TandemClient as SdkClient } from '../../src/index.js';

const clients = new Set();

afterEach(() => {
  for (const client of clients) client.close();
  clients.clear();
});

export class TandemClient extends SdkClient {
  constructor(options) {
    const websocketOnly = options.WebSocket && !options.transports && !options.fetch;
    super(websocketOnly ? { ...options, transports: ['websocket'] } : options);
    clients.add(this);
  }
}
