// Compiled (not run) by types.test.js: the declarations in src/index.d.ts must describe this usage.
import { TandemClient, TandemError, Backoff, webSocketTransport, sseTransport, shortPollingTransport, sharedClient, type ClientLike, type Publication } from '../../src/index.js';
const client = new TandemClient({ url: 'http://x', user: 'a', backoff: { baseDelay: 10 } }).connect();
const stop: () => void = client.status.subscribe((s) => { const x: 'open' | 'connecting' | 'reconnecting' | 'offline' | 'closed' = s; });
const ch = client.channel('chat:x');
ch.subscribe((p: Publication) => p.seq + 1, { since: { seq: 1, epoch: 'e' } });
ch.on('unrecovered', (i) => i.reason);
client.on('retry', (r) => r.delay * 2);
ch.publish({ a: 1 }, { clientMsgId: 'x', timeout: 5 }).then((ack) => ack.payload.seq);
ch.history({ after: 3 }).then((p) => p.more);
new Backoff().next();
const e = new TandemError('timeout', 'm'); e.code;
new TandemClient({ url: 'x', transports: [webSocketTransport({ path: '/ws' })] });
const shared: ClientLike = sharedClient({ url: 'http://x', user: 'b' }).connect();
const plain: ClientLike = client;
shared.channel('chat:x').on('unrecovered', (i) => i.seq);
new TandemClient({ url: 'x', transports: ['sse', 'long-polling', shortPollingTransport({ idleDelay: 500 }), sseTransport({ fetch })] });
