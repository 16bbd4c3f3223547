/**
 * Fault injection for the HTTP transports, on the client's side of real requests: a `fetch` (Node's own
 * underneath) whose requests the test can cut and refuse while the server stays real.
 *   - `down()` aborts every request in flight (open SSE/NDJSON streams and waiting polls break mid-response,
 *              like a cable pulled) and makes new requests fail with a network error until `up()`.
 *   - `requests` records `{at, method, url}` per request made.
 */
export class TestHttpNetwork {
  isDown = false;
  requests = [];
  #inFlight = new Set();

  fetch = async (url, init = {}) => {
    this.requests.push({ at: Date.now(), method: init.method ?? 'GET', url: String(url) });
    if (this.isDown) throw new TypeError('fetch failed: network is down');
    const controller = new AbortController();
    init.signal?.addEventListener('abort', () => controller.abort(init.signal.reason), { once: true });
    this.#inFlight.add(controller);
    const forget = () => this.#inFlight.delete(controller);
    try {
      const response = await fetch(url, { ...init, signal: controller.signal });
      if (!response.body) {
        forget();
        return response;
      }
      // Forget the request once its body is fully read or fails, not when the headers arrive.
      const reader = response.body.getReader();
      const body = new ReadableStream({
        async pull(stream) {
          try {
            const { value, done } = await reader.read();
            if (done) {
              forget();
              stream.close();
            } else {
              stream.enqueue(value);
            }
          } catch (error) {
            forget();
            stream.error(error);
          }
        },
        cancel(reason) {
          forget();
          return reader.cancel(reason);
        },
      });
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      forget();
      throw error;
    }
  };

  down() {
    this.isDown = true;
    for (const controller of this.#inFlight) controller.abort(new Error('network down'));
    this.#inFlight.clear();
  }

  up() {
    this.isDown = false;
  }

  /** The GET requests to `path` (e.g. `/poll`) made so far. */
  gets(path) {
    return this.requests.filter((r) => r.method === 'GET' && new URL(r.url).pathname === path);
  }
}
