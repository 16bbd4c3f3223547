/** Connection status: see TandemClient.status. */
export type Status = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

/** A server frame (shared/PROTOCOL.md): every field but `type` depends on the type. */
export interface Frame {
  type: string;
  channel?: string;
  requestId?: string;
  seq?: number;
  payload?: any;
  userId?: string;
  timestamp?: number;
  [field: string]: unknown;
}

/** A sequenced event handed to channel handlers (`publication`, and the services' sequenced events). */
export interface Publication extends Frame {
  channel: string;
  seq: number;
}

export interface Position {
  seq: number;
  epoch: string;
}

/** A value that can be read now and watched. `subscribe` calls the watcher at once, then on each change. */
export declare class Value<T> {
  constructor(initial: T);
  get(): T;
  subscribe(watcher: (value: T) => void): () => void;
}

export type ErrorCode =
  | 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'too_large'
  | 'limit_exceeded' | 'unavailable' | 'internal'
  | 'timeout' | 'disconnected' | 'queue_full' | 'offline' | 'closed';

export declare class TandemError extends Error {
  readonly code: ErrorCode | string;
  /** The server's `error` frame, when the error came from the server. */
  readonly frame?: Frame;
  /** The server's hint of when to try again, ms (`unavailable`, `rate_limited` refusals). */
  readonly retryAfter?: number;
  constructor(code: string, message: string, frame?: Frame);
}

export interface BackoffOptions {
  /** First ceiling, ms (default 1000). */
  baseDelay?: number;
  /** Largest ceiling, ms (default 30000). */
  maxDelay?: number;
  /** Random source in [0, 1) (default Math.random). */
  random?: () => number;
}

/** Exponential backoff with full jitter: attempt n waits random() * min(maxDelay, baseDelay * 2^n). */
export declare class Backoff {
  constructor(options?: BackoffOptions);
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly attempt: number;
  ceiling(attempt: number): number;
  /** The next delay: jitter, on top of `notBefore` ms when the server gave a hint. */
  next(notBefore?: number): number;
  reset(): void;
}

/** What a transport gets for one connection attempt (see src/transport.js for the contract). */
export interface TransportContext {
  url: string;
  params: Record<string, string | undefined>;
  onOpen(): void;
  onFrame(frame: Frame): void;
  /** `retryAfter` (ms): the server said when to come back (HTTP `Retry-After`). */
  onClose(info: { code: number; reason: string; retryAfter?: number }): void;
}

export interface TransportConnection {
  send(frame: object): void;
  close(code?: number, reason?: string): void;
}

export interface Transport {
  readonly name: string;
  open(context: TransportContext): TransportConnection;
}

export interface WebSocketLike {
  readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export declare function webSocketTransport(options?: {
  path?: string;
  WebSocket?: WebSocketConstructor;
  name?: string;
}): Transport;

/** Names accepted in `transports`; the default order is websocket, sse, stream, long-polling. */
export type TransportName = 'websocket' | 'sse' | 'stream' | 'long-polling' | 'short-polling';

export type FetchLike = (input: string, init?: any) => Promise<Response>;

export interface EventSourceLike {
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  onerror: ((event: any) => void) | null;
  close(): void;
}

export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** Server-Sent Events on `/sse`: EventSource where there is one (browsers), else the event stream over fetch. */
export declare function sseTransport(options?: {
  path?: string;
  EventSource?: EventSourceConstructor;
  fetch?: FetchLike;
  name?: string;
}): Transport;

/** HTTP streaming on `/stream`: chunked NDJSON over fetch. */
export declare function streamTransport(options?: { path?: string; fetch?: FetchLike; name?: string }): Transport;

export interface PollOptions {
  path?: string;
  /** ms the server holds an empty poll (0: short polling; default 25000). */
  wait?: number;
  /** Short polling: first pause after an empty answer, ms (default 1000), doubling up to maxIdleDelay. */
  idleDelay?: number;
  /** Short polling: longest pause, ms (default 30000). */
  maxIdleDelay?: number;
  fetch?: FetchLike;
  name?: string;
}

/** Polling on `/poll`: long (`wait` > 0) or short (`wait: 0`, idle backoff). */
export declare function pollTransport(options?: PollOptions): Transport;
export declare function longPollingTransport(options?: Omit<PollOptions, 'wait'>): Transport;
export declare function shortPollingTransport(options?: Omit<PollOptions, 'wait'>): Transport;

export declare function endpointUrl(base: string, path: string, params: Record<string, string | undefined>,
  scheme?: string): string;

export interface TandemClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080` (`ws:` URLs are accepted too). */
  url: string;
  /** Dev mode only: the user id to connect as (`?user=`). */
  user?: string;
  /** A JWT for the handshake. */
  token?: string;
  /** Called before every connection attempt and before the token expires (then sent as `refresh`). */
  getToken?: () => string | Promise<string>;
  /** ms before a JWT's `exp` at which getToken is called again (default 30000). */
  refreshMargin?: number;
  /** WebSocket class for the default transport (Node 20: the `ws` package). Default: globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
  /**
   * Transports to try, in order, as names or transport objects (default: websocket, sse, stream,
   * long-polling; websocket only where an implementation exists).
   */
  transports?: Array<TransportName | Transport>;
  /** EventSource class for the `sse` transport (default: globalThis.EventSource; without one, fetch). */
  EventSource?: EventSourceConstructor;
  /** fetch for the HTTP transports (default: globalThis.fetch). */
  fetch?: FetchLike;
  /** Failed opens in a row that open a transport's circuit: it is skipped for `transportCooldown` (default 2). */
  transportFailures?: number;
  /** ms an open-circuited transport is skipped before it gets one try again (default 60000). */
  transportCooldown?: number;
  backoff?: BackoffOptions;
  /** ms a connection must stay open before the backoff starts again from its base (default 10000). */
  stableAfter?: number;
  /** Default reply timeout of request(), ms (default 10000). */
  requestTimeout?: number;
  /** Ping when nothing arrived for this long, ms (default: the server's pingInterval). */
  heartbeatInterval?: number;
  /** A ping unanswered for this long means a dead connection, ms (default 10000). */
  heartbeatTimeout?: number;
  /** Commands held while disconnected (default 100). */
  maxQueue?: number;
  /** Where `online`/`offline` events and `navigator.onLine` come from (default globalThis). */
  environment?: { addEventListener?: Function; removeEventListener?: Function; navigator?: { onLine?: boolean } };
}

export interface RequestOptions {
  /** Reply timeout in ms, counted from sending. */
  timeout?: number;
  /** false: fail with `offline` instead of waiting in the offline queue. */
  queue?: boolean;
  /** true: resend after a drop instead of failing with `disconnected` (default: by command type). */
  idempotent?: boolean;
}

export interface DisconnectInfo {
  code: number;
  reason: string;
  reconnect: boolean;
  /** ms the server asked the client to stay away (1013 at capacity, `retryAfter`, `Retry-After`). */
  retryAfter?: number;
}

export interface SubscribedInfo {
  seq: number;
  epoch: string;
  recovered: boolean;
  /** true when the subscribe carried `since` (a resume). */
  resumed: boolean;
}

export interface UnrecoveredInfo {
  /** `resume`: the server could not replay; `history`: a gap older than history; `epoch`: history was lost. */
  reason: 'resume' | 'history' | 'epoch';
  since: Position | null;
  seq: number;
  epoch: string;
}

export interface HistoryPage {
  publications: Publication[];
  seq: number;
  epoch: string;
  more: boolean;
}

export interface ClientEvents {
  connected: { connectionId: string; userId: string; pingInterval: number; serverVersion: string };
  disconnected: DisconnectInfo;
  /** `retryAfter`: the server's hint (ms) the delay starts from (1013, `Retry-After`, a frame's `retryAfter`). */
  retry: { attempt: number; delay: number; retryAfter?: number };
  fallback: { from: string; to: string };
  error: TandemError;
  frame: Frame;
}

export interface ChannelEvents {
  subscribed: SubscribedInfo;
  /** Events were lost for good: reload the channel's state. */
  unrecovered: UnrecoveredInfo;
  /** Frames for the channel without `seq` (presence, including `presence:diff` batches; typing, receipts). */
  ephemeral: Frame;
  error: TandemError;
}

export declare class Channel {
  readonly name: string;
  /** The last delivered event's position, or null. */
  readonly position: Position | null;
  readonly state: 'idle' | 'subscribing' | 'subscribed' | 'failed';
  readonly stats: { delivered: number; duplicates: number; gapFills: number; resumes: number; unrecovered: number };
  subscribe(handler: (event: Publication) => void, options?: { since?: Position }): () => void;
  publish(payload: unknown, options?: RequestOptions & { clientMsgId?: string }): Promise<Frame & { payload: { seq: number } }>;
  history(query?: { after?: number; before?: number; limit?: number }, options?: RequestOptions): Promise<HistoryPage>;
  on<E extends keyof ChannelEvents>(event: E, listener: (value: ChannelEvents[E]) => void): () => void;
}

/** A member of a channel's presence (docs/presence.md). */
export interface Member {
  id: string;
  name: string;
  status: 'online' | 'away' | 'offline';
  lastSeen: number;
  state: Record<string, any>;
  connections: Array<{ connectionId: string; status: 'online' | 'away'; lastSeen: number; state: Record<string, any> }>;
}

export interface PresenceOptions {
  /** ms between heartbeats while joined (default 30000, half the server's default TTL). */
  heartbeatInterval?: number;
  /** ms without page activity before the status turns away (default 300000). */
  awayAfter?: number;
  /** Source of activity events and `document.visibilityState` (default: the client's environment). */
  environment?: any;
}

export interface PresenceEvents {
  sync: Member[];
  /** The channel is in stats mode: counts instead of members (docs/presence.md). */
  stats: { users: number; connections: number };
  /** `join`, `update` and `leave` come one per member, for single events and for each entry of a `presence:diff`. */
  join: Member;
  update: Member;
  leave: { id: string; status: 'offline'; lastSeen: number };
  error: TandemError;
}

/** Who is in a channel: join with a state, a live member list, updates, away detection. */
export declare class Presence {
  readonly name: string;
  /** Everyone present (this user included), sorted by name. */
  readonly members: Value<Member[]>;
  /** This connection's own status. */
  readonly status: Value<'offline' | 'online' | 'away'>;
  /** The counts while the channel is in stats mode (too crowded for a member list; `members` is empty), else null. */
  readonly counts: Value<{ users: number; connections: number } | null>;
  join(state?: Record<string, any>): Promise<Member[]>;
  update(state: Record<string, any>): void;
  setStatus(status: 'online' | 'away'): void;
  member(id: string): Member | undefined;
  leave(): void;
  on<E extends keyof PresenceEvents>(event: E, listener: (value: PresenceEvents[E]) => void): () => void;
}

/** "Who is typing": start() per keystroke (sent at most every interval), users of the others typing. */
export declare class Typing {
  readonly name: string;
  readonly users: Value<Array<{ userId: string; name: string }>>;
  start(): boolean;
  stop(): void;
  close(): void;
}

/** Read and delivery receipts on any channel, sent batched (at most one per interval). */
export declare class Receipts {
  readonly name: string;
  readonly receipts: Value<Record<string, { read: number; delivered: number }>>;
  readonly readUpTo: number;
  markRead(upTo: number): void;
  markDelivered(upTo: number): void;
  /** Users whose read position reached `seq`, except `exclude` (default: this user). */
  readBy(seq: number, exclude?: Array<string | undefined>): string[];
  close(): void;
  on(event: 'receipt', listener: (value: { userId: string; kind: 'read' | 'delivered'; upTo: number }) => void): () => void;
  on(event: 'error', listener: (value: TandemError) => void): () => void;
}

export interface ChatMessage {
  /** null while pending. */
  id: string | null;
  /** null while pending. */
  seq: number | null;
  userId: string;
  content?: string;
  clientMsgId?: string;
  createdAt: number;
  editedAt?: number;
  deleted?: boolean;
  deletedAt?: number;
  /** Sent, not yet seen on the channel. */
  pending?: boolean;
}

export interface MessagesOptions {
  /** Messages per history page (default 50). */
  pageSize?: number;
  /** ms between receipt batches (default 2000). */
  receiptInterval?: number;
  /** Send `delivered` receipts for received messages (default true). */
  autoDelivered?: boolean;
  /** This user's stored read position to count unread from (default 0). */
  readUpTo?: number;
}

export interface MessagesEvents {
  new: ChatMessage;
  edit: { id: string; content: string; editedAt: number };
  delete: { id: string; deletedAt: number };
  receipt: { userId: string; kind: 'read' | 'delivered'; upTo: number };
  error: TandemError;
}

/** A chat room on a durable channel: live list, send/edit/delete, paging, receipts, unread. */
export declare class Messages {
  readonly name: string;
  readonly list: Value<ChatMessage[]>;
  readonly unread: Value<number>;
  readonly receipts: Value<Record<string, { read: number; delivered: number }>>;
  readonly hasMore: boolean;
  readonly readUpTo: number;
  send(content: string, options?: RequestOptions & { clientMsgId?: string }): Promise<{ id: string; seq: number; duplicate: boolean }>;
  edit(id: string, content: string, options?: RequestOptions): Promise<{ seq: number }>;
  delete(id: string, options?: RequestOptions): Promise<{ seq: number }>;
  loadOlder(options?: { limit?: number }): Promise<number>;
  markRead(upTo?: number): void;
  readBy(seq: number): string[];
  close(): void;
  on<E extends keyof MessagesEvents>(event: E, listener: (value: MessagesEvents[E]) => void): () => void;
}

/** A stored record of a collection (docs/entities.md); `pending` while a local change awaits the server. */
export interface EntityRecord<T = Record<string, any>> {
  id: string;
  /** 0 for a record being created. */
  version: number;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
  data: T;
  pending?: boolean;
}

export interface ConflictInfo<T = Record<string, any>> {
  id: string;
  kind: 'create' | 'update' | 'patch' | 'delete';
  /** What this client's change would have produced on top of the server's record (null for a delete). */
  local: EntityRecord<T> | null;
  /** The server's current record (`details.current`), or null when it is gone. */
  server: EntityRecord<T> | null;
  error: TandemError;
}

export interface CollectionOptions<T = Record<string, any>> {
  /** `createdAt` (default), `updatedAt`, `id`, `data.FIELD`, with `-` first for descending; or a compare function. */
  sort?: string | ((a: EntityRecord<T>, b: EntityRecord<T>) => number);
  /** Records per page of the initial load (default 100). */
  pageSize?: number;
  /** The collection sends partial `entity:updated` records (`partialUpdates: true` on the server). */
  partialUpdates?: boolean;
  /** Called on a conflict; answer `{data}` to write that over the server's version, or nothing to keep the server's. */
  onConflict?: (info: ConflictInfo<T>) => void | { data: T } | Promise<void | { data: T }>;
  /** fetch for the initial load (default globalThis.fetch). */
  fetch?: FetchLike;
}

export interface EntityChange<T = Record<string, any>> {
  type: 'entity:created' | 'entity:updated' | 'entity:deleted' | 'entity:refresh';
  collection: string;
  id?: string;
  version?: number;
  record?: EntityRecord<T>;
  changed?: string[];
}

export interface CollectionEvents<T = Record<string, any>> {
  change: EntityChange<T>;
  replaced: { tempId: string; id: string };
  conflict: ConflictInfo<T>;
  rollback: { op: { kind: 'create' | 'update' | 'patch' | 'delete'; id: string }; error: TandemError };
  error: TandemError;
}

/** A live, sorted collection of records with optimistic create/update/patch/delete and rollback. */
export declare class Collection<T = Record<string, any>> {
  readonly name: string;
  readonly records: Value<EntityRecord<T>[]>;
  readonly state: Value<'idle' | 'loading' | 'ready' | 'error'>;
  get(id: string): EntityRecord<T> | undefined;
  ready(): Promise<this>;
  reload(): Promise<void>;
  create(data: T, options?: { id?: string }): Promise<EntityRecord<T>>;
  update(id: string, data: T): Promise<EntityRecord<T>>;
  patch(id: string, patch: Partial<Record<keyof T, unknown>> | Record<string, unknown>): Promise<EntityRecord<T>>;
  delete(id: string): Promise<EntityRecord<T>>;
  close(): void;
  on<E extends keyof CollectionEvents<T>>(event: E, listener: (value: CollectionEvents<T>[E]) => void): () => void;
}

/** RFC 7396 JSON Merge Patch. */
export declare function mergePatch(target: unknown, patch: unknown): any;

export declare class TandemClient {
  constructor(options: TandemClientOptions);
  readonly status: Value<Status>;
  /** Name of the transport in use. */
  readonly transport: string;
  /** The server's last `connected` payload while connected. */
  readonly connection: ClientEvents['connected'] | null;
  /** Commands waiting for a connection. */
  readonly queued: number;
  connect(): this;
  whenOpen(): Promise<this>;
  close(): void;
  channel(name: string): Channel;
  request(frame: { type: string; [field: string]: unknown }, options?: RequestOptions): Promise<Frame>;
  /** Sends a command that has no reply when it succeeds, only while connected; false when not sent. */
  send(frame: { type: string; [field: string]: unknown }, options?: { onError?: (error: TandemError) => void }): boolean;
  presence(channel: string, options?: PresenceOptions): Presence;
  typing(channel: string, options?: { interval?: number; timeout?: number }): Typing;
  messages(channel: string, options?: MessagesOptions): Messages;
  receipts(channel: string, options?: { interval?: number; readUpTo?: number }): Receipts;
  collection<T = Record<string, any>>(name: string, options?: CollectionOptions<T>): Collection<T>;
  on<E extends keyof ClientEvents>(event: E, listener: (value: ClientEvents[E]) => void): () => void;
}

/** The part of TandemClient a page needs; what sharedClient() returns. */
export interface ClientLike {
  readonly status: Value<Status>;
  /** How a sharedClient() shares its connection: a SharedWorker, or a leader tab over BroadcastChannel. */
  readonly sharing?: 'shared-worker' | 'broadcast';
  /** A sharedClient() in broadcast mode: whether this tab holds the connection. */
  readonly leading?: boolean;
  connect(): this;
  whenOpen(): Promise<this>;
  close(): void;
  channel(name: string): ChannelLike;
  request(frame: { type: string; [field: string]: unknown }, options?: RequestOptions): Promise<Frame>;
}

/** The part of Channel a page needs. */
export interface ChannelLike {
  readonly name: string;
  readonly position: Position | null;
  subscribe(handler: (event: Publication) => void): () => void;
  publish(payload: unknown, options?: RequestOptions & { clientMsgId?: string }): Promise<Frame & { payload: { seq: number } }>;
  history(query?: { after?: number; before?: number; limit?: number }, options?: RequestOptions): Promise<HistoryPage>;
  on<E extends keyof ChannelEvents>(event: E, listener: (value: ChannelEvents[E]) => void): () => void;
}

/**
 * One connection shared by all tabs of the origin (same url and user): in a SharedWorker, or where there is
 * none in a leader tab elected with Web Locks and reached over BroadcastChannel (the next tab takes over when
 * it closes); a plain TandemClient where neither works or `getToken` is given (functions cannot be posted).
 */
export declare function sharedClient(options: TandemClientOptions, shared?: { workerUrl?: string | URL }): ClientLike;
