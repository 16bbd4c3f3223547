/**
 * Whether the server under test has live records (docs/entities.md): the `entity.*` commands arrived with the
 * entities work. Against a server without them the collection tests skip themselves, saying why (a skip, not a
 * pass): the server answers `bad_request` "unknown type 'entity.create'".
 */
import WebSocket from 'ws';
import { TandemClient } from '../../src/index.js';
import { serverUrl } from './server.js';

let answer;

export function entitiesAvailable() {
  answer ??= (async () => {
    const client = new TandemClient({ url: serverUrl, user: 'probe', WebSocket, transports: ['websocket'] }).connect();
    try {
      await client.whenOpen();
      await client.request({ type: 'entity.delete', payload: { collection: 'probe', id: 'none' } });
      return true;
    } catch (error) {
      return !(error.code === 'bad_request' && /unknown type 'entity\./.test(error.message));
    } finally {
      client.close();
    }
  })();
  return answer;
}

export const SKIP_REASON = 'the server has no entity.* commands yet (entities not merged): enable by merging them';
