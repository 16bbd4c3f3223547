/**
 * The connection-owning side of tab sharing: one TandemClient serving many tabs, each reached through a
 * "port" (anything with `postMessage`): a MessagePort in the SharedWorker (`shared-worker.js`), or a
 * BroadcastChannel address in the leader tab (`broadcast.js`). The message shapes are in shared.js.
 *
 * Design: the hub subscribes each channel once and fans its events out to every port that asked for it, so
 * recovery, gap filling and the offline queue happen once. A port that goes away says `bye` and its
 * subscriptions are released.
 */
import { TandemClient } from './client.js';

export class TabHub {
  #client = null;
  #ports = new Set();
  #channels = new Map(); // name -> {ports: Set, stop, listeners: [stop...]}
  #environment;

  constructor(environment) {
    this.#environment = environment;
  }

  handle(port, message) {
    switch (message.op) {
      case 'init':
        this.#ports.add(port);
        if (!this.#client) this.#start(message.options);
        port.postMessage({ op: 'status', value: this.#client.status.get() });
        return;
      case 'connect':
        this.#client?.connect();
        return;
      case 'request':
        if (!this.#client) return;
        this.#client.request(message.frame, message.options)
          .then((frame) => port.postMessage({ op: 'reply', id: message.id, frame }))
          .catch((error) => port.postMessage({ op: 'reply', id: message.id, error: { code: error.code, message: error.message, frame: error.frame } }));
        return;
      case 'subscribe':
        if (this.#client) this.#join(port, message.channel, message.since);
        return;
      case 'unsubscribe':
        this.#leave(port, message.channel);
        return;
      case 'bye':
        for (const name of [...this.#channels.keys()]) this.#leave(port, name);
        this.#ports.delete(port);
        return;
      default:
    }
  }

  /** Closes the connection (the leader tab is going away). */
  close() {
    this.#client?.close();
  }

  #start(options) {
    this.#client = new TandemClient({ ...options, environment: this.#environment });
    this.#client.status.subscribe((value) => {
      for (const port of this.#ports) port.postMessage({ op: 'status', value });
    });
  }

  #join(port, name, since) {
    const channel = this.#client.channel(name);
    let entry = this.#channels.get(name);
    if (!entry) {
      entry = { ports: new Set(), listeners: [] };
      this.#channels.set(name, entry);
      for (const event of ['subscribed', 'unrecovered', 'ephemeral', 'error']) {
        entry.listeners.push(channel.on(event, (value) => {
          const payload = value instanceof Error ? { code: value.code, message: value.message } : value;
          for (const p of entry.ports) p.postMessage({ op: 'channel', channel: name, event, value: payload });
        }));
      }
      // The first tab's position (a tab that followed the channel through a leader that went away) resumes it.
      entry.stop = channel.subscribe((frame) => {
        for (const p of entry.ports) p.postMessage({ op: 'event', channel: name, frame });
      }, since ? { since } : undefined);
    }
    entry.ports.add(port);
    if (channel.state === 'subscribed' && channel.position) {
      // A tab joining a channel the hub already follows starts from here, like a fresh subscribe would.
      const { seq, epoch } = channel.position;
      port.postMessage({ op: 'channel', channel: name, event: 'subscribed', value: { seq, epoch, recovered: false, resumed: false } });
    }
  }

  #leave(port, name) {
    const entry = this.#channels.get(name);
    if (!entry || !entry.ports.delete(port) || entry.ports.size > 0) return;
    this.#channels.delete(name);
    entry.stop();
    entry.listeners.forEach((stop) => stop());
  }
}
