export { TandemClient } from './client.js';
export { Channel } from './channel.js';
export { Backoff } from './backoff.js';
export { TandemError } from './errors.js';
export { Value } from './value.js';
export { webSocketTransport, endpointUrl } from './transport.js';
export { sharedClient } from './shared.js';
export { sseTransport, streamTransport, pollTransport, longPollingTransport, shortPollingTransport } from './http-transports.js';
