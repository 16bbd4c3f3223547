/**
 * The SharedWorker side of `sharedClient()`: one TandemClient (one connection) for every tab of an origin that
 * connects with the same url and user (the worker's name). Tabs talk to it over MessagePorts; the hub
 * (tab-hub.js) does the rest. Events for a port that vanished without `bye` are harmless (postMessage to a
 * closed port is a no-op).
 */
import { TabHub } from './tab-hub.js';

const hub = new TabHub(self);

self.onconnect = (event) => {
  const port = event.ports[0];
  port.onmessage = (message) => hub.handle(port, message.data);
  port.start();
};
