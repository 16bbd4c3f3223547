import { Emitter } from './emitter.js';
import { TandemError } from './errors.js';
import { endpointUrl } from './transport.js';
import { Value } from './value.js';

const PAGE = 100;

/**
 * A live collection of records (docs/entities.md) with an optimistic manager: `records` is a sorted list that
 * follows every change on the server, and `create` / `update` / `patch` / `delete` show at once (marked
 * `pending`) while the command is on its way, then settle on the server's answer: the stored record, or a
 * rollback on error, or on `conflict` the server's record plus the `onConflict({id, kind, local, server,
 * error})` callback, which may answer `{data}` to write that over the server's version instead.
 *
 * Design: two layers. `#confirmed` holds the server's truth (records by id with their version, and the
 * version at which deleted ids went away); it only moves forward: a change event or reply with a version at or
 * below the one held is stale and ignored, which also makes the initial load (REST pages) and the live events
 * that race it agree. `#ops` holds the local commands not yet answered, in the order they were made. The list
 * the app sees is always recomputed as confirmed + ops replayed on top, so settling one op (success, error or
 * conflict) is just "update the confirmed layer, drop the op, recompute": a rollback needs no undo log and
 * later pending edits of the same record stay applied. A create shows under a temporary id (`tmp_…`) that is
 * replaced by the server's id when the reply arrives (`replaced` event). Events come from the durable channel
 * `entity:{name}`: resumed exactly across reconnects by the channel; `unrecovered` or `entity:refresh` reload.
 */
export class Collection extends Emitter {
  /** The records, sorted: `{id, version, createdAt, updatedAt, updatedBy, data, pending?}`. */
  records = new Value([]);
  /** `idle`, `loading`, `ready` (loaded and live) or `error`. */
  state = new Value('idle');

  #client;
  #channel;
  #options;
  #confirmed = new Map(); // id -> record
  #gone = new Map(); // id -> version at which it was deleted
  #ops = [];
  #touched = new Set(); // ids changed by events while a reload is under way
  #temps = 0;
  #loading = null;
  #stops = [];
  #compare;

  constructor(client, name, options = {}) {
    super();
    this.#client = client;
    this.name = name;
    this.#options = { pageSize: PAGE, ...options };
    this.#compare = comparator(options.sort ?? 'createdAt');
    this.#channel = client.channel(`entity:${name}`);
    this.#stops.push(this.#channel.subscribe((event) => this.#event(event)));
    this.#stops.push(this.#channel.on('subscribed', ({ resumed }) => {
      if (!resumed || this.state.get() !== 'ready') this.reload();
    }));
    this.#stops.push(this.#channel.on('unrecovered', () => this.reload()));
  }

  /** The visible record `id` (with pending changes applied), or undefined. */
  get(id) {
    return this.records.get().find((record) => record.id === id);
  }

  /** Resolves when the first load finished. */
  ready() {
    if (this.state.get() === 'ready') return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const stop = this.state.subscribe((state) => {
        if (state === 'ready') queueMicrotask(() => { stop(); resolve(this); });
        if (state === 'error') queueMicrotask(() => { stop(); reject(this.#loadError); });
      });
    });
  }

  #loadError = null;

  /** Loads every record again from `GET /api/collections/{name}` (paged); changes keep flowing meanwhile. */
  reload() {
    if (this.#loading) return this.#loading;
    this.state.set('loading');
    this.#loading = this.#loadAll().then(() => {
      this.state.set('ready');
      this.#render();
    }, (error) => {
      this.#loadError = error;
      this.state.set('error');
      this.emit('error', error);
    }).finally(() => { this.#loading = null; });
    return this.#loading;
  }

  /** Creates a record; shows at once under a temporary id. Resolves with the stored record. */
  create(data, { id } = {}) {
    const tempId = id ?? `tmp_${Date.now().toString(36)}_${++this.#temps}`;
    return this.#run({ kind: 'create', id: tempId, data: clone(data) },
      { type: 'entity.create', payload: { collection: this.name, id, data } });
  }

  /** Replaces the data of record `id` (based on the version shown now). Resolves with the stored record. */
  update(id, data) {
    const base = this.#baseVersion(id);
    return this.#run({ kind: 'update', id, data: clone(data), base },
      { type: 'entity.update', payload: { collection: this.name, id, version: base, data } });
  }

  /** Applies an RFC 7396 merge patch to record `id`'s data. Resolves with the stored record. */
  patch(id, patch) {
    const base = this.#baseVersion(id);
    return this.#run({ kind: 'patch', id, patch: clone(patch), base },
      { type: 'entity.patch', payload: { collection: this.name, id, baseVersion: base, patch } });
  }

  /** Deletes record `id` (at the version shown now); it disappears at once. Resolves with the record as it was. */
  delete(id) {
    const base = this.#baseVersion(id);
    return this.#run({ kind: 'delete', id, base },
      { type: 'entity.delete', payload: { collection: this.name, id, version: base } });
  }

  /** Stops following the collection. */
  close() {
    for (const stop of this.#stops.splice(0)) stop();
  }

  // ---- the optimistic layer ---------------------------------------------------------------------------------

  #baseVersion(id) {
    const record = this.#confirmed.get(id);
    if (!record) {
      const temp = this.#ops.find((op) => op.kind === 'create' && op.id === id);
      throw new TandemError('not_found', temp ? `record ${id} is still being created` : `no record ${id} in ${this.name}`);
    }
    return record.version;
  }

  async #run(op, frame) {
    this.#ops.push(op);
    this.#render();
    try {
      const reply = await this.#client.request(frame);
      const record = reply.payload;
      this.#drop(op);
      if (op.kind === 'delete') {
        this.#forget(record.id, record.version);
      } else {
        this.#confirm(record);
      }
      if (op.kind === 'create' && op.id !== record.id) this.emit('replaced', { tempId: op.id, id: record.id });
      this.#render();
      return record;
    } catch (error) {
      this.#drop(op);
      if (error.code === 'conflict') return this.#conflict(op, error);
      if (error.code === 'not_found' && op.kind !== 'create') this.#forget(op.id, Infinity);
      this.#render();
      this.emit('rollback', { op: describe(op), error });
      throw error;
    }
  }

  /** The server kept another version: show it, and let the app choose what to write over it, if anything. */
  async #conflict(op, error) {
    const server = error.frame?.payload?.details?.current ?? null;
    if (server) this.#confirm(server); else this.#forget(op.id, Infinity);
    this.#render();
    const local = this.#replay(op, this.#confirmedBefore(op, server));
    const info = { id: op.id, kind: op.kind, local, server, error };
    this.emit('conflict', info);
    const resolved = server && this.#options.onConflict ? await this.#options.onConflict(info) : undefined;
    if (resolved?.data && server) return this.update(op.id, resolved.data);
    this.emit('rollback', { op: describe(op), error });
    throw error;
  }

  /** What this op would have produced on top of the server's record (the app's "mine" side of a conflict). */
  #confirmedBefore(op, server) {
    return server ?? { id: op.id, version: op.base ?? 0, data: {} };
  }

  #replay(op, record) {
    if (op.kind === 'update') return { ...record, data: clone(op.data) };
    if (op.kind === 'patch') return { ...record, data: mergePatch(record.data, op.patch) };
    if (op.kind === 'delete') return null;
    return { ...record, data: clone(op.data) };
  }

  #drop(op) {
    const index = this.#ops.indexOf(op);
    if (index >= 0) this.#ops.splice(index, 1);
  }

  // ---- the confirmed layer ------------------------------------------------------------------------------------

  /** Takes `record` unless what is held (or its deletion) is at least as new: stale news is ignored. */
  #confirm(record) {
    if (!record?.id) return false;
    const held = this.#confirmed.get(record.id);
    if (held && held.version >= record.version) return false;
    if ((this.#gone.get(record.id) ?? -1) >= record.version) return false;
    this.#confirmed.set(record.id, record);
    return true;
  }

  #forget(id, version) {
    const held = this.#confirmed.get(id);
    if (held && Number.isFinite(version) && held.version > version) return;
    this.#confirmed.delete(id);
    this.#gone.set(id, Math.max(this.#gone.get(id) ?? -1, Number.isFinite(version) ? version : held?.version ?? 0));
  }

  #event(event) {
    const change = event.payload;
    if (!change || typeof change.type !== 'string') return;
    if (change.type === 'entity:refresh') {
      this.reload();
      return;
    }
    if (change.id) this.#touched.add(change.id);
    if (change.type === 'entity:deleted') {
      this.#forget(change.id, change.version);
    } else if (change.type === 'entity:created' || change.type === 'entity:updated') {
      const record = change.record;
      if (!record) return;
      const held = this.#confirmed.get(record.id);
      // A collection with partialUpdates sends only the changed fields: merge them into what is held.
      const full = this.#options.partialUpdates && held && change.type === 'entity:updated'
        ? { ...record, data: mergePatch(held.data, record.data) }
        : record;
      if (!this.#confirm(full)) return;
    } else {
      return;
    }
    this.#render();
    this.emit('change', change);
  }

  async #loadAll() {
    this.#touched.clear();
    const loaded = new Map();
    let cursor;
    do {
      const url = endpointUrl(this.#client._baseUrl(), `api/collections/${encodeURIComponent(this.name)}`,
        { limit: this.#options.pageSize, cursor });
      const headers = { accept: 'application/json' };
      const token = this.#client._token();
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await (this.#options.fetch ?? globalThis.fetch)(url, { headers, cache: 'no-store' });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const { code = 'internal', message = `HTTP ${response.status}` } = body.error ?? {};
        throw new TandemError(code, message);
      }
      for (const record of body.records ?? []) loaded.set(record.id, record);
      cursor = body.next ?? undefined;
    } while (cursor);
    // A record missing from a full reload is gone, unless a change event brought it while the pages loaded.
    for (const [id, held] of [...this.#confirmed]) {
      if (!loaded.has(id) && !this.#touched.has(id)) this.#forget(id, held.version);
    }
    this.#touched.clear();
    for (const record of loaded.values()) this.#confirm(record);
  }

  #render() {
    const view = new Map([...this.#confirmed].map(([id, record]) => [id, { ...record }]));
    for (const op of this.#ops) {
      const current = view.get(op.id);
      if (op.kind === 'create') {
        view.set(op.id, { id: op.id, version: 0, createdAt: Date.now(), updatedAt: Date.now(),
          updatedBy: this.#client.connection?.userId, data: clone(op.data), pending: true });
      } else if (!current) {
        continue; // the record went away meanwhile; the reply will settle the op
      } else if (op.kind === 'delete') {
        view.delete(op.id);
      } else {
        view.set(op.id, { ...this.#replay(op, current), pending: true });
      }
    }
    this.records.set([...view.values()].sort(this.#compare));
  }
}

/** A sort: a function, or a key (`createdAt`, `updatedAt`, `id`, or `data.FIELD`), `-` first for descending. */
function comparator(sort) {
  if (typeof sort === 'function') return sort;
  const descending = sort.startsWith('-');
  const path = (descending ? sort.slice(1) : sort).split('.');
  const read = (record) => path.reduce((value, key) => value?.[key], record);
  return (a, b) => {
    const x = read(a);
    const y = read(b);
    const order = x === y ? String(a.id).localeCompare(String(b.id))
      : x === undefined ? 1 : y === undefined ? -1 : x < y ? -1 : 1;
    return descending ? -order : order;
  };
}

/** RFC 7396 JSON Merge Patch: objects merge, `null` removes, anything else replaces. */
export function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const result = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = mergePatch(result[key], value);
    }
  }
  return result;
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function describe(op) {
  return { kind: op.kind, id: op.id };
}
