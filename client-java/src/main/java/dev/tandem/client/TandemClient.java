package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A client of Tandem's native protocol over the JDK's own WebSocket: connects (with a token from a
 * {@link TokenSupplier} on every attempt), reconnects with exponential backoff and full jitter unless the
 * server's {@code disconnect} frame says not to, matches replies to requests by {@code requestId} with a
 * timeout, and keeps {@link Subscription}s alive across reconnects, resuming each with {@code since} so the
 * application sees every event once, in order.
 *
 * <p>Design. Everything that mutates state (the socket, pending requests, subscriptions) runs on one
 * event thread owned by the client; the socket is read one frame at a time and the next frame is asked for
 * only after the previous one was processed, so a slow listener slows the socket (and the server, which
 * may then disconnect this client as a slow consumer, after which it resumes) instead of growing a queue.
 * Requests made while disconnected wait (bounded by count and by their timeout) and are sent on connect;
 * a request already sent when the connection drops fails with {@link TandemException#DISCONNECTED}.
 */
public final class TandemClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TandemClient.class.getName());
    /** WebSocket close code of a node at capacity. */
    private static final int TRY_AGAIN_LATER = 1013;
    /** How long to stay away from a node that refused with 1013 and gave no hint, before jitter. */
    static final Duration TRY_AGAIN_LATER_FLOOR = Duration.ofSeconds(2);
    static final int MAX_PENDING = 10_000;

    private final URI uri;
    private final TokenSupplier tokens;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final Backoff backoff;
    private final HttpClient http;
    private final InboundTap tap;
    private final ScheduledExecutorService loop;
    private final List<StatusListener> statusListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    // Event thread only.
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Map<String, OneWay> oneWay = new LinkedHashMap<>();
    private Connection current;
    private int attempt;
    private long requestCounter;
    private String connectionId;
    private String userId;
    private volatile ConnectionStatus status = ConnectionStatus.NEW;
    /** The token of the latest connection attempt, for the REST calls of helpers ({@link LiveCollection}). */
    private volatile String lastToken;
    private volatile Thread loopThread;

    private TandemClient(Builder builder) {
        this.uri = builder.uri;
        this.tokens = builder.tokens;
        this.requestTimeout = builder.requestTimeout;
        this.connectTimeout = builder.connectTimeout;
        this.backoff = builder.backoff;
        this.http = builder.http != null ? builder.http : HttpClient.newHttpClient();
        this.tap = builder.tap;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "tandem-client");
            thread.setDaemon(true);
            loopThread = thread;
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.loop = executor;
    }

    /** A builder for the native endpoint, e.g. {@code ws://localhost:8080/ws}. */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    public static Builder builder(String uri) {
        return new Builder(URI.create(uri));
    }

    /** Starts connecting; completes on the first {@code connected}, fails if the server refuses for good. */
    public CompletableFuture<Void> connect() {
        loop.execute(() -> {
            if (status == ConnectionStatus.NEW) {
                open();
            }
        });
        return firstConnect;
    }

    public ConnectionStatus status() {
        return status;
    }

    /** The server's id for the current connection (null while disconnected). */
    public String connectionId() {
        return onLoop(() -> connectionId).join();
    }

    /** The user id the server assigned (from the token, or anonymous). */
    public String userId() {
        return onLoop(() -> userId).join();
    }

    public void onStatus(StatusListener listener) {
        statusListeners.add(listener);
    }

    /**
     * Subscribes and keeps the subscription across reconnects. The listener sees events published after
     * the server confirmed it, each once and in order.
     */
    public Subscription subscribe(String channel, SubscriptionListener listener) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(listener, "listener");
        Subscription held = onLoop(() -> subscriptions.get(channel)).join();
        if (held != null && held.shared) {
            // A helper (presence, chat, collection) holds the channel: share its subscription, and keep it
            // until the application unsubscribes.
            loop.execute(() -> {
                held.shared = false;
                held.addListener(listener);
            });
            return held;
        }
        Subscription subscription = new Subscription(this, channel, listener, false);
        loop.execute(() -> register(subscription));
        return subscription;
    }

    private void register(Subscription subscription) {
        if (status == ConnectionStatus.CLOSED) {
            subscription.onRefused(new TandemException(TandemException.CLOSED, "client is closed"));
        } else if (subscriptions.putIfAbsent(subscription.channel(), subscription) != null) {
            subscription.onRefused(new TandemException("bad_request", "already subscribed to " + subscription.channel()));
        } else if (status == ConnectionStatus.CONNECTED) {
            sendSubscribe(subscription);
        }
    }

    /** Who is in {@code channel}: join with a state, follow the members (docs/presence.md). */
    public Presence presence(String channel) {
        return new Presence(this, channel, Presence.Options.DEFAULT);
    }

    public Presence presence(String channel, Presence.Options options) {
        return new Presence(this, channel, options);
    }

    /** A chat room on a durable channel: messages, receipts, typing (docs/chat.md). */
    public ChatRoom chat(String channel, ChatListener listener) {
        return new ChatRoom(this, channel, listener, ChatRoom.Options.DEFAULT);
    }

    public ChatRoom chat(String channel, ChatListener listener, ChatRoom.Options options) {
        return new ChatRoom(this, channel, listener, options);
    }

    /** The live records of a collection: reads over REST, writes over this connection (docs/entities.md). */
    public LiveCollection collection(String name) {
        return new LiveCollection(this, name);
    }

    /** Publishes; completes with the seq the server assigned (after its {@code ack}). */
    public CompletableFuture<Long> publish(String channel, JsonNode payload) {
        ObjectNode command = Frames.command("publish", channel);
        command.set("payload", payload);
        return request(command).thenApply(reply -> reply.path("payload").path("seq").asLong());
    }

    /**
     * Confirms every publication of {@code channel} up to {@code seq} (namespaces with {@code ack: required}): the
     * server stops redelivering them. Fire and forget: a confirm lost with the connection is harmless, since the
     * server replays unconfirmed publications on resubscribe and the listener sees them again (same seqs).
     */
    public void confirm(String channel, long seq) {
        String text = Frames.command("confirm", channel).put("seq", seq).toString();
        loop.execute(() -> {
            Connection connection = current;
            if (status == ConnectionStatus.CONNECTED && connection != null && connection.connected) {
                connection.send(text);
            }
        });
    }

    /** One page of a channel's history. */
    public CompletableFuture<HistoryPage> history(String channel, HistoryQuery query) {
        return requestHistory(channel, query);
    }

    /** Every publication after {@code afterSeq} still in history, following pages until the last one. */
    public CompletableFuture<List<Publication>> historyAfter(String channel, long afterSeq) {
        List<Publication> all = new ArrayList<>();
        return collect(channel, afterSeq, all).thenApply(done -> List.copyOf(all));
    }

    private CompletableFuture<Void> collect(String channel, long after, List<Publication> into) {
        return requestHistory(channel, HistoryQuery.after(after)).thenCompose(page -> {
            into.addAll(page.publications());
            if (!page.more() || page.publications().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return collect(channel, page.lastSeq(after), into);
        });
    }

    /**
     * Sends any command of the native protocol and completes with its reply frame (an {@code error} reply
     * fails the future with its code). The extension point for commands without a typed method here yet
     * (presence, chat messages, entities): e.g. {@code request(command("presence:join", channel))}.
     */
    public CompletableFuture<JsonNode> request(ObjectNode command) {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        loop.execute(() -> enqueue(command, reply));
        return reply;
    }

    /**
     * Sends a command the server answers only when it fails ({@code presence:update}, {@code typing},
     * {@code receipt}, ...), and only while connected: completes with false when it was not sent (nothing is
     * queued; the helpers re-send their state after a reconnect). {@code onError} hears the server's
     * {@code error} for it, when one arrives within the request timeout; it runs on the event thread.
     */
    public CompletableFuture<Boolean> send(ObjectNode command, Consumer<TandemException> onError) {
        return onLoop(() -> sendNow(command, onError));
    }

    /** {@link #send} on the event thread. */
    boolean sendNow(ObjectNode command, Consumer<TandemException> onError) {
        Connection connection = current;
        if (status != ConnectionStatus.CONNECTED || connection == null || !connection.connected) {
            return false;
        }
        String id = "n" + (++requestCounter);
        command.put("requestId", id);
        if (onError != null && oneWay.size() < MAX_PENDING) {
            OneWay entry = new OneWay(onError);
            oneWay.put(id, entry);
            entry.timeout = loop.schedule(() -> oneWay.remove(id), requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        connection.send(command.toString());
        return true;
    }

    /** A command frame {@code {type, channel}} to fill in and pass to {@link #request}. */
    public static ObjectNode command(String type, String channel) {
        return Frames.command(type, channel);
    }

    /** Closes for good: no reconnect; pending requests fail with {@link TandemException#CLOSED}. */
    @Override
    public void close() {
        if (loop.isShutdown()) {
            return;
        }
        if (Thread.currentThread() == loopThread) {
            shutdown("closed by the application");
            loop.shutdown();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                shutdown("closed by the application");
                done.complete(null);
            });
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "close did not finish cleanly", e);
        } finally {
            loop.shutdown();
        }
    }

    // ---- package-private seams used by Subscription and the helpers ----

    Executor executor() {
        return loop;
    }

    boolean onEventThread() {
        return Thread.currentThread() == loopThread;
    }

    ScheduledExecutorService scheduler() {
        return loop;
    }

    /** The subscription of {@code channel} with {@code listener} added, subscribing when nobody has. Event thread. */
    Subscription attach(String channel, SubscriptionListener listener) {
        Subscription subscription = subscriptions.get(channel);
        if (subscription == null) {
            subscription = new Subscription(this, channel, listener, true);
            register(subscription);
        } else {
            subscription.addListener(listener);
        }
        subscription.attachments++;
        return subscription;
    }

    /** Undoes {@link #attach}; the last helper on a subscription it created unsubscribes. Event thread. */
    void detach(Subscription subscription, SubscriptionListener listener) {
        subscription.removeListener(listener);
        subscription.attachments--;
        if (subscription.shared && subscription.attachments <= 0) {
            unsubscribeNow(subscription, new CompletableFuture<>());
        }
    }

    /** The HTTP root of the server this client connects to ({@code ws://h/ws} → {@code http://h}). */
    URI httpBase() {
        String scheme = "wss".equalsIgnoreCase(uri.getScheme()) ? "https" : "http";
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        int cut = path.lastIndexOf('/');
        String root = cut <= 0 ? "" : path.substring(0, cut);
        return URI.create(scheme + "://" + uri.getRawAuthority() + root);
    }

    HttpClient http() {
        return http;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** {@code Bearer TOKEN} of the latest connection attempt, or null without a token. */
    String authorization() {
        String token = lastToken;
        return token == null ? null : "Bearer " + token;
    }

    <T> CompletableFuture<T> onLoop(Supplier<T> read) {
        if (loop.isShutdown() || Thread.currentThread() == loopThread) {
            return CompletableFuture.completedFuture(read.get());
        }
        return CompletableFuture.supplyAsync(read, loop);
    }

    CompletableFuture<HistoryPage> requestHistory(String channel, HistoryQuery query) {
        ObjectNode command = Frames.command("history", channel);
        query.writeTo(command);
        return request(command).thenApply(reply -> HistoryPage.from(reply.path("payload")));
    }

    CompletableFuture<Void> unsubscribe(Subscription subscription) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> unsubscribeNow(subscription, done));
        return done;
    }

    /** {@link #unsubscribe} on the event thread: the channel is free for a new subscription right away. */
    private void unsubscribeNow(Subscription subscription, CompletableFuture<Void> done) {
        if (subscriptions.get(subscription.channel()) != subscription) {
            done.complete(null);
            return;
        }
        subscriptions.remove(subscription.channel());
        subscription.deactivate();
        if (status != ConnectionStatus.CONNECTED) {
            done.complete(null);
            return;
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        enqueue(Frames.command("unsubscribe", subscription.channel()), reply);
        reply.whenComplete((r, e) -> done.complete(null));
    }

    // ---- connection lifecycle (event thread) ----

    private void open() {
        setStatus(ConnectionStatus.CONNECTING, null);
        Connection connection = new Connection();
        current = connection;
        CompletionStage<String> token;
        try {
            token = tokens.token();
        } catch (RuntimeException e) {
            token = CompletableFuture.failedFuture(e);
        }
        token.thenCompose(t -> {
            lastToken = t;
            WebSocket.Builder ws = http.newWebSocketBuilder().connectTimeout(connectTimeout);
            if (t != null) {
                ws.header("Authorization", "Bearer " + t);
            }
            return ws.buildAsync(uri, connection);
        }).whenCompleteAsync((socket, error) -> {
            if (error != null && connection == current) {
                dropped(connection, "connect failed: " + rootMessage(error));
            }
        }, loop);
    }

    private void onFrame(Connection connection, JsonNode frame) {
        if (connection != current) {
            return;
        }
        for (JsonNode f : tap.tap(frame)) {
            dispatch(connection, f);
        }
    }

    private void dispatch(Connection connection, JsonNode frame) {
        String type = frame.path("type").asText();
        JsonNode requestId = frame.get("requestId");
        if ("connected".equals(type) && (requestId == null || !pending.containsKey(requestId.asText()))) {
            onConnected(connection, frame.path("payload"));
            return;
        }
        if ("disconnect".equals(type)) {
            connection.disconnectFrame = frame.path("payload");
            return;
        }
        if (requestId != null) {
            Pending p = pending.remove(requestId.asText());
            if (p != null) {
                p.complete(frame, this);
                return;
            }
            OneWay w = oneWay.remove(requestId.asText());
            if (w != null) {
                w.settle(frame);
                return;
            }
        }
        String channel = frame.path("channel").asText(null);
        Subscription subscription = channel == null ? null : subscriptions.get(channel);
        if (subscription == null) {
            if ("error".equals(type)) {
                LOG.log(System.Logger.Level.WARNING, "server error: {0}", frame.path("payload"));
            }
            return;
        }
        if (frame.hasNonNull("seq")) {
            subscription.onSequenced(Publication.from(frame));
        } else {
            subscription.onEvent(frame);
        }
    }

    private void onConnected(Connection connection, JsonNode payload) {
        connectionId = payload.path("connectionId").asText(null);
        userId = payload.path("userId").asText(null);
        attempt = 0;
        connection.connected = true;
        setStatus(ConnectionStatus.CONNECTED, null);
        subscriptions.values().forEach(this::sendSubscribe);
        for (Map.Entry<String, Pending> entry : pending.entrySet()) {
            if (!entry.getValue().sent) {
                entry.getValue().sent = true;
                connection.send(entry.getValue().text);
            }
        }
        long pingMillis = payload.path("pingInterval").asLong(25_000);
        if (pingMillis > 0) {
            connection.pinger = loop.scheduleAtFixedRate(() -> ping(connection), pingMillis, pingMillis,
                    TimeUnit.MILLISECONDS);
        }
        firstConnect.complete(null);
    }

    /** A ping request each interval; a connection that cannot answer one within the timeout is dead. */
    private void ping(Connection connection) {
        if (connection != current) {
            return;
        }
        CompletableFuture<JsonNode> pong = new CompletableFuture<>();
        enqueue(Frames.command("ping", null), pong);
        pong.whenCompleteAsync((reply, error) -> {
            if (error != null && connection == current && rootCause(error) instanceof TandemException t
                    && TandemException.TIMEOUT.equals(t.code())) {
                connection.socket().ifPresent(WebSocket::abort);
                dropped(connection, "no pong within " + requestTimeout.toMillis() + " ms");
            }
        }, loop);
    }

    private void sendSubscribe(Subscription subscription) {
        ObjectNode command = Frames.command("subscribe", subscription.channel());
        boolean resume = subscription.canResume();
        if (resume) {
            command.putObject("since").put("seq", subscription.resumeSeq()).put("epoch", subscription.resumeEpoch());
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        Pending p = enqueue(command, reply);
        if (p != null) {
            p.subscription = subscription;
            p.resumed = resume;
        }
        reply.whenCompleteAsync((frame, error) -> {
            if (error instanceof TandemException t && !TandemException.DISCONNECTED.equals(t.code())
                    && !TandemException.CLOSED.equals(t.code()) && !TandemException.TIMEOUT.equals(t.code())
                    && subscriptions.get(subscription.channel()) == subscription) {
                subscriptions.remove(subscription.channel());
                subscription.onRefused(t);
            }
        }, loop);
    }

    private Pending enqueue(ObjectNode command, CompletableFuture<JsonNode> reply) {
        if (status == ConnectionStatus.CLOSED) {
            reply.completeExceptionally(new TandemException(TandemException.CLOSED, "client is closed"));
            return null;
        }
        if (pending.size() >= MAX_PENDING) {
            reply.completeExceptionally(new TandemException("limit_exceeded",
                    "more than " + MAX_PENDING + " requests waiting for replies"));
            return null;
        }
        String id = "r" + (++requestCounter);
        command.put("requestId", id);
        Pending p = new Pending(command.toString(), reply);
        pending.put(id, p);
        p.timeout = loop.schedule(() -> {
            if (pending.remove(id) != null) {
                reply.completeExceptionally(new TandemException(TandemException.TIMEOUT,
                        "no reply to " + command.path("type").asText() + " within " + requestTimeout.toMillis() + " ms"));
            }
        }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (status == ConnectionStatus.CONNECTED && current != null && current.connected) {
            p.sent = true;
            current.send(p.text);
        }
        return p;
    }

    /** The connection ended (closed, failed, or found dead): reconnect unless told not to. */
    private void dropped(Connection connection, String reason) {
        if (connection != current) {
            return;
        }
        current = null;
        connectionId = null;
        connection.stop();
        failSent(new TandemException(TandemException.DISCONNECTED, "connection lost before the reply: " + reason));
        subscriptions.values().forEach(Subscription::onDisconnected);
        if (status == ConnectionStatus.CLOSED) {
            return;
        }
        JsonNode disconnect = connection.disconnectFrame;
        String why = disconnect != null ? disconnect.path("code").asInt() + " " + disconnect.path("reason").asText() : reason;
        if (disconnect != null && !disconnect.path("reconnect").asBoolean(true)) {
            shutdown("server said not to reconnect: " + why);
            return;
        }
        long delay = backoff.delayMillis(attempt++);
        int code = disconnect != null ? disconnect.path("code").asInt() : connection.closeCode;
        if (code == TRY_AGAIN_LATER) {
            // The node is full: wait at least its hint, spread over as much again so refused clients do not return
            // together, and never sooner than the backoff would anyway.
            long hint = disconnect != null && disconnect.path("retryAfter").canConvertToLong()
                    ? disconnect.path("retryAfter").asLong() : TRY_AGAIN_LATER_FLOOR.toMillis();
            delay = Math.max(delay, hint + java.util.concurrent.ThreadLocalRandom.current().nextLong(hint + 1));
        }
        setStatus(ConnectionStatus.RECONNECTING, why);
        loop.schedule(() -> {
            if (status == ConnectionStatus.RECONNECTING) {
                open();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void shutdown(String reason) {
        if (status == ConnectionStatus.CLOSED) {
            return;
        }
        setStatus(ConnectionStatus.CLOSED, reason);
        Connection connection = current;
        current = null;
        if (connection != null) {
            connection.stop();
            connection.socket().ifPresent(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
                    .orTimeout(2, TimeUnit.SECONDS).whenComplete((w, e) -> ws.abort()));
        }
        TandemException closed = new TandemException(TandemException.CLOSED, reason);
        List<Pending> all = new ArrayList<>(pending.values());
        pending.clear();
        all.forEach(p -> p.reply.completeExceptionally(closed));
        subscriptions.values().forEach(Subscription::deactivate);
        subscriptions.clear();
        firstConnect.completeExceptionally(closed);
    }

    private void failSent(TandemException error) {
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p.sent) {
                it.remove();
                p.reply.completeExceptionally(error);
            }
        }
    }

    private void setStatus(ConnectionStatus next, String reason) {
        if (status == next) {
            return;
        }
        status = next;
        Callbacks.each(statusListeners, listener -> listener.onStatus(next, reason), "status listener");
    }

    private static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return t;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = rootCause(error);
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** A one-way command whose error, if any, goes to a callback. */
    private static final class OneWay {
        final Consumer<TandemException> onError;
        java.util.concurrent.ScheduledFuture<?> timeout;

        OneWay(Consumer<TandemException> onError) {
            this.onError = onError;
        }

        void settle(JsonNode frame) {
            timeout.cancel(false);
            if (!"error".equals(frame.path("type").asText())) {
                return;
            }
            Callbacks.run(() -> onError.accept(TandemException.fromErrorPayload(frame.path("payload"))), "error callback");
        }
    }

    /** A request waiting for its reply. */
    private static final class Pending {
        final String text;
        final CompletableFuture<JsonNode> reply;
        boolean sent;
        Subscription subscription;
        boolean resumed;
        java.util.concurrent.ScheduledFuture<?> timeout;

        Pending(String text, CompletableFuture<JsonNode> reply) {
            this.text = text;
            this.reply = reply;
        }

        void complete(JsonNode frame, TandemClient client) {
            timeout.cancel(false);
            if ("error".equals(frame.path("type").asText())) {
                reply.completeExceptionally(TandemException.fromErrorPayload(frame.path("payload")));
                return;
            }
            if (subscription != null && "subscribed".equals(frame.path("type").asText())
                    && client.subscriptions.get(subscription.channel()) == subscription) {
                subscription.onSubscribed(frame.path("payload"), resumed);
            }
            reply.complete(frame);
        }
    }

    /**
     * One WebSocket attempt. JDK listener callbacks arrive one at a time; complete text frames are handed
     * to the event thread, and the next one is requested only once the previous one was processed.
     */
    private final class Connection implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile WebSocket socket;
        private CompletableFuture<WebSocket> sending;
        private java.util.concurrent.ScheduledFuture<?> pinger;
        boolean connected;
        JsonNode disconnectFrame;
        int closeCode;

        java.util.Optional<WebSocket> socket() {
            return java.util.Optional.ofNullable(socket);
        }

        /** Sends in order: the JDK allows one outstanding send per socket. Event thread only. */
        void send(String text) {
            WebSocket ws = socket;
            if (ws == null) {
                return;
            }
            CompletableFuture<WebSocket> previous = sending == null ? CompletableFuture.completedFuture(ws) : sending;
            sending = previous.handle((w, e) -> ws).thenCompose(w -> w.sendText(text, true));
            sending.exceptionally(error -> {
                loop.execute(() -> {
                    ws.abort();
                    dropped(this, "send failed: " + rootMessage(error));
                });
                return null;
            });
        }

        void stop() {
            if (pinger != null) {
                pinger.cancel(false);
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String text = partial.toString();
            partial.setLength(0);
            loop.execute(() -> {
                JsonNode frame = Frames.parse(text);
                if (frame != null) {
                    onFrame(this, frame);
                }
                webSocket.request(1);
            });
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            loop.execute(() -> {
                closeCode = statusCode;
                dropped(this, "closed " + statusCode + (reason.isEmpty() ? "" : " " + reason));
            });
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            loop.execute(() -> dropped(this, "transport error: " + rootMessage(error)));
        }
    }

    /** Options for a {@link TandemClient}. */
    public static final class Builder {
        private URI uri;
        private TokenSupplier tokens = TokenSupplier.none();
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Backoff backoff = Backoff.DEFAULT;
        private HttpClient http;
        private InboundTap tap = InboundTap.NONE;

        private Builder(URI uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        /** Called before every connection attempt; its token goes in {@code Authorization: Bearer}. */
        public Builder token(TokenSupplier tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /** Dev mode only: connect as {@code user} ({@code ?user=}); servers in production ignore it. */
        public Builder devUser(String user) {
            String separator = uri.getRawQuery() == null ? "?" : "&";
            this.uri = URI.create(uri + separator + "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8));
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Shares an {@link HttpClient} (its executor, proxy and TLS settings). */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        Builder tap(InboundTap tap) {
            this.tap = Objects.requireNonNull(tap, "tap");
            return this;
        }

        public TandemClient build() {
            return new TandemClient(this);
        }
    }
}
