/**
 * Fault injection on the client's side of a real connection: a WebSocket class (the `ws` package underneath)
 * whose sockets the test can cut, refuse, starve or tamper with, while the server stays real.
 *   - `down()`  terminates every open socket (like a cable pulled: no close frame) and makes new ones fail
 *               the handshake (they go to a path the server answers with 404) until `up()`.
 *   - `inbound` a function (frame, socket) -> array of frames actually delivered: [] drops a frame,
 *               [f, f] duplicates it. Applies to text frames parsed as JSON.
 */
import WebSocket from 'ws';

export class TestNetwork {
  isDown = false;
  inbound = (frame) => [frame];
  sockets = [];
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

  /** Sockets that completed the handshake and are still open. */
  get open() {
    return this.sockets.filter((socket) => socket.readyState === 1);
  }
}
