/**
 * Fault injection on the client's side of a real connection: a WebSocket class (the `ws` package underneath)
 * whose sockets the test can cut, refuse, starve or tamper with, while the server stays real.
 *   - `down()`  terminates every open socket (like a cable pulled: no close frame) and makes new ones fail
 *               the handshake (they go to a path the server answers with 404) until `up()`.
 *   - `inbound` a function (frame, socket) -> array of frames actually delivered: [] drops a frame,
 *               [f, f] duplicates it. Applies to text frames parsed as JSON.
 *   - `sent`    every frame the client wrote, parsed (to count what a helper sends, e.g. throttled typing).
 */
import WebSocket from 'ws';

export class TestNetwork {
  isDown = false;
  inbound = (frame) => [frame];
  sockets = [];
  sent = [];
  attempts = []; // {at, url} per socket created

  constructor() {
    const network = this;
    this.WebSocket = class NetworkWebSocket extends WebSocket {
      constructor(url, protocols) {
        const target = network.isDown ? url.replace(/\/ws(\?|$)/, '/unreachable$1') : url;
        super(target, protocols);
        network.sockets.push(this);
        network.attempts.push({ at: Date.now(), url: target });
      }

      send(data, ...rest) {
        try {
          network.sent.push(JSON.parse(data));
        } catch {
          network.sent.push(data);
        }
        return super.send(data, ...rest);
      }

      get onmessage() {
        return super.onmessage;
      }

      set onmessage(handler) {
        super.onmessage = (event) => {
          let frames;
          try {
            frames = network.inbound(JSON.parse(event.data), this);
          } catch {
            frames = [event.data];
          }
          for (const frame of frames) handler({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
        };
      }
    };
  }

  down() {
    this.isDown = true;
    for (const socket of this.sockets) {
      if (socket.readyState <= 1) socket.terminate();
    }
  }

  up() {
    this.isDown = false;
  }

  /** The frames of `type` the client sent. */
  sentOfType(type) {
    return this.sent.filter((frame) => frame?.type === type);
  }

  /** Sockets that completed the handshake and are still open. */
  get open() {
    return this.sockets.filter((socket) => socket.readyState === 1);
  }
}
