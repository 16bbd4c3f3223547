/**
 * The HTTP fallback transports (docs/transports.md): Server-Sent Events (`GET /sse`), HTTP streaming
 * (`GET /stream`, NDJSON), long polling and short polling (`GET /poll`). They carry server frames one way;
 * commands go back by `POST /session/{connectionId}` (`SessionPoster`), whose replies arrive on the stream
 * like on WebSocket.
 *
 * Design: every attempt opens a fresh server session (no cursor). The client already knows the position of
 * each channel it follows and re-subscribes with `since` after every `connected`, whatever the transport, so
 * switching from WebSocket to SSE (or back) and reconnecting resume the same way, and the server's cursors
 * are not needed here. An attempt reports `onClose` exactly once; any HTTP failure, a stream that ends, or a
 * POST answered 404 (the session is gone) ends the attempt and the client's reconnect logic takes over. A
 * POST refused as a whole (400, 413: nothing was dispatched) fails just its commands, with `error` frames.
 */
import { endpointUrl } from './transport.js';

/**
 * HTTP status of a refused handshake → the close code the WebSocket endpoint uses for the same refusal
 * (docs/protocol.md): 4001 and 4003 are final, the client stops instead of retrying a request that cannot work.
 */
const CLOSE_CODE_OF_STATUS = { 400: 4003, 401: 4001, 403: 4003, 429: 4029, 503: 1013 };
/**
 * The server's hint of when to try again (ms), or undefined: `error.retryAfter` in the JSON body, else the
 * `Retry-After` header in seconds (cross-origin, browsers show that header only when the server exposes it;
 * the body always works).
 */
function retryAfterOf(response, body) {
  const inBody = body?.error?.retryAfter;
  if (typeof inBody === 'number' && inBody > 0) return inBody;
  const seconds = Number(response.headers?.get?.('retry-after'));
  return seconds > 0 ? seconds * 1000 : undefined;
}

/** Frames per `POST /session/{id}` (the server's `transports.maxFramesPerPost` default). */
const MAX_FRAMES_PER_POST = 100;

/**
 * Sends commands of one session in order: frames queue up, one POST at a time carries everything queued so
 * far (up to 100 frames), so a burst costs few requests and two commands never overtake each other.
 */
class SessionPoster {
  #url;
  #params;
  #fetch;
  #onGone;
  #onFrame;
  #sessionId = null;
  #queue = [];
  #posting = false;
  #closed = false;
  #abort = new AbortController();

  constructor({ url, params, fetch, onGone, onSent, onFrame }) {
    this.#url = url;
    this.#params = params;
    this.#fetch = fetch;
    this.#onGone = onGone;
    this.#onFrame = onFrame;
    this.onSent = onSent ?? (() => {});
  }

  /** The session to post to (from the `connected` frame); frames queued before it are sent now. */
  start(sessionId) {
    this.#sessionId = sessionId;
    this.#pump();
  }

  send(frame) {
    if (this.#closed) return;
    this.#queue.push(frame);
    this.#pump();
  }

  close() {
    this.#closed = true;
    this.#queue.length = 0;
    this.#abort.abort();
  }

  /** Answers each refused command with the `error` frame the server would have sent on WebSocket. */
  #refuse(frames, body) {
    const { code = 'bad_request', message = 'the server refused the command' } = body?.error ?? {};
    for (const frame of frames) {
      if (frame.requestId != null) this.#onFrame({ type: 'error', requestId: frame.requestId, payload: { code, message } });
    }
  }

  async #pump() {
    if (this.#posting || this.#closed || this.#sessionId === null || this.#queue.length === 0) return;
    this.#posting = true;
    const frames = this.#queue.splice(0, MAX_FRAMES_PER_POST);
    try {
      const response = await this.#fetch(endpointUrl(this.#url, `session/${encodeURIComponent(this.#sessionId)}`, this.#params), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(frames.length === 1 ? frames[0] : frames),
        signal: this.#abort.signal,
      });
      if (response.status === 400 || response.status === 413) {
        // Refused as a whole, nothing dispatched (a frame too large, ...): those commands fail, the session lives on.
        this.#refuse(frames, await response.json().catch(() => ({})));
      } else if (!response.ok) {
        const body = await response.json().catch(() => null);
        if (!this.#closed) {
          this.#onGone({ code: 1006, reason: `POST /session answered ${response.status}`, retryAfter: retryAfterOf(response, body) });
        }
        return;
      } else {
        await response.body?.cancel().catch(() => {});
        this.onSent();
      }
    } catch (error) {
      if (!this.#closed) this.#onGone({ code: 1006, reason: `POST /session failed: ${error?.message ?? error}` });
      return;
    } finally {
      this.#posting = false;
    }
    this.#pump();
  }
}

/**
 * One attempt's bookkeeping shared by the HTTP transports: `finish` reports the close once and stops
 * everything; `frame` hands a frame to the client, starting the poster on `connected` and ending the
 * attempt after a `disconnect` (the server closes the session right after it).
 */
function attempt(context, fetchImpl) {
  const state = { closed: false, opened: false, abort: new AbortController(), cleanup: [] };
  const doFetch = fetchImpl ?? globalThis.fetch?.bind(globalThis);
  if (typeof doFetch !== 'function') throw new TypeError('no fetch implementation here: pass one as {fetch}');
  state.fetch = doFetch;
  state.finish = (code, reason, retryAfter = undefined) => {
    if (state.closed) return;
    state.closed = true;
    state.abort.abort();
    state.poster.close();
    for (const stop of state.cleanup) stop();
    context.onClose(retryAfter > 0 ? { code, reason, retryAfter } : { code, reason });
  };
  state.poster = new SessionPoster({
    url: context.url, params: context.params, fetch: doFetch,
    onGone: ({ code, reason, retryAfter }) => state.finish(code, reason, retryAfter),
    onFrame: (frame) => state.frame(frame),
  });
  state.open = () => {
    if (state.opened) return;
    state.opened = true;
    context.onOpen();
  };
  state.frame = (frame) => {
    if (state.closed || frame === null || typeof frame !== 'object') return;
    if (frame.type === 'connected' && frame.payload?.connectionId) state.poster.start(frame.payload.connectionId);
    context.onFrame(frame);
    if (frame.type === 'disconnect') {
      state.finish(frame.payload?.code ?? 1000, frame.payload?.reason ?? '');
    }
  };
  state.connection = {
    send: (frame) => state.poster.send(frame),
    close: (code = 1000, reason = '') => state.finish(code, reason),
  };
  return state;
}

/**
 * Turns a refused handshake into a close: the server's JSON error message, a code the client understands, and
 * the server's retry hint (a 503 at capacity becomes 1013 with `Retry-After`, as on WebSocket).
 */
async function refused(state, response) {
  let reason = `HTTP ${response.status}`;
  let body = null;
  try {
    body = await response.json();
    reason = body?.error?.message ?? body?.message ?? reason;
  } catch {
    // not JSON: the status says enough
  }
  state.finish(CLOSE_CODE_OF_STATUS[response.status] ?? 1006, reason, retryAfterOf(response, body));
}

/** Reads a fetch body as text lines (`\n`, `\r\n` or `\r`), calling `onLine` per line; resolves at the end. */
async function readLines(body, onLine, state) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  state.cleanup.push(() => reader.cancel().catch(() => {}));
  for (;;) {
    const { value, done } = await reader.read();
    if (done || state.closed) return;
    buffered += decoder.decode(value, { stream: true });
    let start = 0;
    for (let i = 0; i < buffered.length; i++) {
      const c = buffered[i];
      if (c !== '\n' && c !== '\r') continue;
      if (c === '\r' && i + 1 === buffered.length) break; // a \r\n may be split across chunks: wait for the rest
      onLine(buffered.slice(start, i));
      if (c === '\r' && buffered[i + 1] === '\n') i++;
      start = i + 1;
      if (state.closed) return;
    }
    buffered = buffered.slice(start);
  }
}

/** Opens a streaming GET and feeds its lines to `onLine` until it ends (a 1006 close) or fails. */
function streamLines(state, context, path, accept, onLine) {
  (async () => {
    let response;
    try {
      response = await state.fetch(endpointUrl(context.url, path, context.params), {
        headers: { accept }, cache: 'no-store', signal: state.abort.signal,
      });
    } catch (error) {
      state.finish(1006, `${path} failed: ${error?.message ?? error}`);
      return;
    }
    if (!response.ok || !response.body) {
      await refused(state, response);
      return;
    }
    state.open();
    try {
      await readLines(response.body, onLine, state);
      state.finish(1006, `${path} ended`);
    } catch (error) {
      state.finish(1006, `${path} broke: ${error?.message ?? error}`);
    }
  })();
}

function parseFrame(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null; // the server only sends JSON frames; anything else is noise
  }
}

/**
 * Server-Sent Events on `/sse`. With an `EventSource` class (the browser's by default, or one passed in) it
 * uses that; otherwise (Node 20) it reads the event stream over `fetch`. EventSource's own reconnect is
 * switched off (closed on the first error): the client reconnects and resumes its channels itself.
 */
export function sseTransport({ path = '/sse', EventSource: Impl = globalThis.EventSource, fetch, name = 'sse' } = {}) {
  const relative = path.replace(/^\//, '');
  return {
    name,
    open(context) {
      const state = attempt(context, fetch);
      if (typeof Impl === 'function') {
        const source = new Impl(endpointUrl(context.url, relative, context.params));
        state.cleanup.push(() => source.close());
        source.onopen = () => state.open();
        source.onmessage = (event) => state.frame(parseFrame(event.data));
        source.onerror = () => state.finish(1006, state.opened ? 'event stream lost' : 'event stream refused');
        return state.connection;
      }
      let data = [];
      streamLines(state, context, relative, 'text/event-stream', (line) => {
        if (line === '') {
          if (data.length > 0) state.frame(parseFrame(data.join('\n')));
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line[5] === ' ' ? 6 : 5));
        } // `id:` (the cursor), `retry:` and `: keep-alive` comments are not needed here
      });
      return state.connection;
    },
  };
}

/** HTTP streaming on `/stream`: chunked NDJSON over `fetch`, one frame per line (blank lines keep alive). */
export function streamTransport({ path = '/stream', fetch, name = 'stream' } = {}) {
  const relative = path.replace(/^\//, '');
  return {
    name,
    open(context) {
      const state = attempt(context, fetch);
      streamLines(state, context, relative, 'application/x-ndjson', (line) => {
        if (line.trim() === '') return;
        const frame = parseFrame(line);
        if (frame) delete frame.cursor; // the resume token: positions are tracked by the client itself
        state.frame(frame);
      });
      return state.connection;
    },
  };
}

/**
 * Polling on `/poll`. Long polling (`wait` 25 s, the default) asks again as soon as a response arrives; short
 * polling (`wait: 0`) answers at once and waits between polls, 1 s doubling to 30 s while responses are empty,
 * back to 1 s when one has frames or a command was sent. Each poll passes the previous response's cursor, which
 * acknowledges that batch (the server resends a batch whose response was lost).
 */
export function pollTransport({ path = '/poll', wait = 25000, idleDelay = 1000, maxIdleDelay = 30000, fetch, name } = {}) {
  const relative = path.replace(/^\//, '');
  return {
    name: name ?? (wait > 0 ? 'long-polling' : 'short-polling'),
    open(context) {
      const state = attempt(context, fetch);
      let cursor;
      let delay = idleDelay;
      let wake = null;
      state.cleanup.push(() => wake?.());
      state.poster.onSent = () => {
        delay = idleDelay;
        wake?.();
      };
      const sleep = (ms) => new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() { clearTimeout(timer); wake = null; resolve(); }
        wake = done;
      });
      (async () => {
        while (!state.closed) {
          let response;
          try {
            response = await state.fetch(endpointUrl(context.url, relative, { ...context.params, cursor, wait }), {
              cache: 'no-store', signal: state.abort.signal,
            });
          } catch (error) {
            state.finish(1006, `poll failed: ${error?.message ?? error}`);
            return;
          }
          if (!response.ok) {
            await refused(state, response);
            return;
          }
          let body;
          try {
            body = await response.json();
          } catch (error) {
            state.finish(1006, `poll response unreadable: ${error?.message ?? error}`);
            return;
          }
          state.open();
          cursor = body.cursor ?? cursor;
          const frames = Array.isArray(body.frames) ? body.frames : [];
          for (const frame of frames) state.frame(frame);
          if (wait > 0 || state.closed) continue;
          if (frames.length > 0) {
            delay = idleDelay;
          } else {
            await sleep(delay);
            delay = Math.min(maxIdleDelay, delay * 2);
          }
        }
      })();
      return state.connection;
    },
  };
}

/** Long polling: `GET /poll` held open up to `wait` ms (default 25000). */
export function longPollingTransport(options = {}) {
  return pollTransport({ wait: 25000, ...options, name: options.name ?? 'long-polling' });
}

/** Short polling: `GET /poll?wait=0` with idle backoff 1 s → 30 s. */
export function shortPollingTransport(options = {}) {
  return pollTransport({ ...options, wait: 0, name: options.name ?? 'short-polling' });
}
