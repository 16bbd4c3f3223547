/**
 * The SDK's TandemClient, closed after each test whatever its outcome: a test that fails half-way must not
 * leave a client reconnecting forever (which would keep the test process alive instead of reporting).
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
    super(options);
    clients.add(this);
  }
}
