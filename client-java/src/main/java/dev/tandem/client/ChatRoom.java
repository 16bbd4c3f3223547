package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A chat room on a durable channel (docs/chat.md): the live, seq-ordered list of messages; {@link #send}
 * (idempotent through a generated {@code clientMsgId}, retried by the SDK when the outcome is unknown),
 * {@link #edit}, {@link #delete}; paging back through history; read and delivered receipts sent batched; and
 * who is typing.
 *
 * <p>Design (as the JS SDK's {@code Messages}, {@code Receipts} and {@code Typing}). The list is a projection of
 * the channel's sequenced events: {@code message.new} adds, {@code message.edit} / {@code message.delete} change
 * the message they name. The subscription delivers each live event once and in order across reconnects, so the
 * projection stays exact; history pages hold messages as stored (edits and deletions applied), so from a page
 * only {@code message.new} entries are taken, never over a message the live stream already showed. When events
 * were lost for good (a resume the server could not replay) the list is reloaded. State lives on the client's
 * event thread; the views are immutable snapshots.
 */
public final class ChatRoom implements AutoCloseable {
    private final TandemClient client;
    private final String channel;
    private final ChatListener listener;
    private final Options options;
    private final ReceiptBatcher receipts;
    private final TypingTracker typing;
    private final SubscriptionListener events = new Events();

    // Event thread only.
    private final TreeMap<Long, ChatMessage> bySeq = new TreeMap<>();
    private final Map<String, Long> seqById = new java.util.HashMap<>();
    private final List<CompletableFuture<ChatRoom>> readyWaiters = new ArrayList<>();
    private Subscription subscription;
    private long oldestLoaded = -1;
    private boolean loaded;
    private boolean closed;

    private volatile List<ChatMessage> messages = List.of();
    private volatile boolean more = true;

    ChatRoom(TandemClient client, String channel, ChatListener listener, Options options) {
        this.client = client;
        this.channel = Objects.requireNonNull(channel, "channel");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.options = Objects.requireNonNull(options, "options");
        Consumer<TandemException> onError = error -> safely(() -> listener.onError(error));
        this.receipts = new ReceiptBatcher(client, channel, options.receiptInterval(), options.readUpTo(), onError);
        this.typing = new TypingTracker(client, channel, options.typingInterval(), options.typingTimeout(),
                typists -> safely(() -> listener.onTyping(typists)));
        client.executor().execute(() -> {
            subscription = client.attach(channel, events);
            if (subscription.live) {
                load(subscription.resumeSeq()); // the application's subscription was confirmed already
            }
        });
    }

    /**
     * How the room behaves.
     *
     * @param pageSize         messages per history page (1–100)
     * @param sendAttempts     how many times {@link #send} tries when the outcome is unknown (a timeout, a lost
     *                         connection); safe because the retry carries the same {@code clientMsgId}
     * @param receiptInterval  at most one receipt command per kind per interval (the server's pace is 2 s)
     * @param autoDelivered    mark others' messages delivered as they arrive
     * @param readUpTo         this user's stored read position, to count unread from
     * @param typingInterval   at most one {@code typing} command per interval (the server's pace is 2 s)
     * @param typingTimeout    others stop counting as typing this long after their last {@code typing}
     */
    public record Options(int pageSize, int sendAttempts, Duration receiptInterval, boolean autoDelivered,
                          long readUpTo, Duration typingInterval, Duration typingTimeout) {
        public static final Options DEFAULT = new Options(50, 3, Duration.ofSeconds(2), true, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(5));

        public Options {
            if (pageSize < 1 || pageSize > HistoryQuery.MAX_LIMIT) {
                throw new IllegalArgumentException("pageSize must be 1 to " + HistoryQuery.MAX_LIMIT);
            }
            if (sendAttempts < 1) {
                throw new IllegalArgumentException("sendAttempts must be at least 1");
            }
        }

        public Options withReadUpTo(long seq) {
            return new Options(pageSize, sendAttempts, receiptInterval, autoDelivered, seq, typingInterval, typingTimeout);
        }

        public Options withAutoDelivered(boolean on) {
            return new Options(pageSize, sendAttempts, receiptInterval, on, readUpTo, typingInterval, typingTimeout);
        }

        public Options withReceiptInterval(Duration interval) {
            return new Options(pageSize, sendAttempts, interval, autoDelivered, readUpTo, typingInterval, typingTimeout);
        }
    }

    public String channel() {
        return channel;
    }

    /** The messages loaded so far, oldest first (live ones and the pages loaded from history). */
    public List<ChatMessage> messages() {
        return messages;
    }

    /** Whether older messages may exist before the oldest one loaded ({@link #loadOlder} fetches them). */
    public boolean hasMore() {
        return more;
    }

    /** Completes once the subscription is confirmed and the newest page is loaded. */
    public CompletableFuture<ChatRoom> ready() {
        CompletableFuture<ChatRoom> ready = new CompletableFuture<>();
        client.executor().execute(() -> {
            if (loaded) {
                ready.complete(this);
            } else {
                readyWaiters.add(ready);
            }
        });
        return ready;
    }

    /** Sends {@code content} with a new {@code clientMsgId}. */
    public CompletableFuture<SentMessage> send(String content) {
        return send(content, UUID.randomUUID().toString());
    }

    /**
     * Sends {@code content} under {@code clientMsgId} (1–128 characters). A repeat of the same id — this SDK's own
     * retry after a timeout or a dropped connection, or the application resending after a crash — is answered
     * with the original message ({@link SentMessage#duplicate()}) and never shows twice.
     */
    public CompletableFuture<SentMessage> send(String content, String clientMsgId) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(clientMsgId, "clientMsgId");
        return attemptSend(content, clientMsgId, 1);
    }

    private CompletableFuture<SentMessage> attemptSend(String content, String clientMsgId, int attempt) {
        ObjectNode command = Frames.command("message.send", channel).put("clientMsgId", clientMsgId);
        command.putObject("payload").put("content", content);
        return client.request(command).handle((reply, error) -> {
            if (error == null) {
                JsonNode p = reply.path("payload");
                return CompletableFuture.completedFuture(new SentMessage(p.path("id").asText(), p.path("seq").asLong(),
                        p.path("duplicate").asBoolean(), clientMsgId));
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (attempt < options.sendAttempts() && outcomeUnknown(cause)) {
                return attemptSend(content, clientMsgId, attempt + 1);
            }
            return CompletableFuture.<SentMessage>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private static boolean outcomeUnknown(Throwable error) {
        return error instanceof TandemException t
                && (TandemException.TIMEOUT.equals(t.code()) || TandemException.DISCONNECTED.equals(t.code()));
    }

    /** Changes the text of one of this user's messages; completes with the edit event's seq. */
    public CompletableFuture<Long> edit(String messageId, String content) {
        ObjectNode command = Frames.command("message.edit", channel);
        command.putObject("payload").put("id", messageId).put("content", content);
        return client.request(command).thenApply(reply -> reply.path("payload").path("seq").asLong());
    }

    /** Deletes a message (this user's own, or any as a moderator); completes with the delete event's seq. */
    public CompletableFuture<Long> delete(String messageId) {
        ObjectNode command = Frames.command("message.delete", channel);
        command.putObject("payload").put("id", messageId);
        return client.request(command).thenApply(reply -> reply.path("payload").path("seq").asLong());
    }

    /** One page of stored messages (edits and deletions applied), without touching {@link #messages()}. */
    public CompletableFuture<ChatPage> history(HistoryQuery query) {
        return client.history(channel, query).thenApply(ChatRoom::chatPage);
    }

    /** Loads the page before the oldest message loaded into {@link #messages()}; completes with how many were added. */
    public CompletableFuture<Integer> loadOlder() {
        CompletableFuture<Integer> added = new CompletableFuture<>();
        client.executor().execute(() -> {
            if (oldestLoaded < 0) {
                added.complete(0);
                return;
            }
            page(oldestLoaded).whenComplete((n, e) -> {
                if (e != null) {
                    added.completeExceptionally(e);
                } else {
                    added.complete(n);
                }
            });
        });
        return added;
    }

    /** Marks every message up to {@code seq} read (and delivered); the receipt goes out batched. */
    public void markRead(long seq) {
        client.executor().execute(() -> receipts.markRead(seq));
    }

    /** Marks every message up to {@code seq} delivered (done for others' messages on arrival by default). */
    public void markDelivered(long seq) {
        client.executor().execute(() -> receipts.markDelivered(seq));
    }

    /** This user's read position (for the next session's {@link Options#readUpTo}). */
    public long readUpTo() {
        return client.onLoop(receipts::readUpTo).join();
    }

    /** Every user's positions as announced on the channel since the room opened. */
    public Map<String, Receipt.Position> receipts() {
        return receipts.positions();
    }

    /** The users other than the author and this user whose read position reached {@code seq}. */
    public List<String> readBy(long seq) {
        String me = client.userId();
        String author = messages.stream().filter(m -> m.seq() == seq).map(ChatMessage::userId).findFirst().orElse(null);
        return receipts.positions().entrySet().stream()
                .filter(e -> e.getValue().read() >= seq && !e.getKey().equals(me) && !e.getKey().equals(author))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** Others' messages after this user's read position that are not deleted. */
    public int unread() {
        return client.onLoop(this::countUnread).join();
    }

    /**
     * This user is typing: call it on every keystroke; the SDK sends at most one {@code typing} per interval.
     * Completes with whether this call sent one.
     */
    public CompletableFuture<Boolean> typing() {
        return client.onLoop(typing::start);
    }

    /** This user stopped typing (sent the message, cleared the field): the next {@link #typing()} sends at once. */
    public void stopTyping() {
        client.executor().execute(typing::stop);
    }

    /** The others typing now, in the order they started. */
    public List<ChatUser> typists() {
        return typing.typists();
    }

    /** Stops following the room and releases the subscription (if nobody else uses it). */
    @Override
    public void close() {
        client.executor().execute(() -> {
            if (closed) {
                return;
            }
            closed = true;
            receipts.close();
            typing.close();
            if (subscription != null) {
                client.detach(subscription, events);
            }
        });
    }

    // ---- the projection (event thread) ----

    private void onLive(Publication event) {
        JsonNode p = event.payload();
        switch (event.type()) {
            case "message.new" -> {
                ChatMessage message = ChatMessage.from(event);
                if (message == null) {
                    return;
                }
                put(message);
                typing.remove(message.userId());
                if (options.autoDelivered() && !Objects.equals(message.userId(), client.userId())) {
                    receipts.markDelivered(message.seq());
                }
                safely(() -> listener.onMessage(message));
            }
            case "message.edit" -> change(p, m -> m.edited(p.path("content").asText(), p.path("editedAt").asLong()),
                    listener::onEdited);
            case "message.delete" -> change(p, m -> m.tombstone(p.path("deletedAt").asLong()), listener::onDeleted);
            default -> {
            }
        }
    }

    private void change(JsonNode payload, java.util.function.UnaryOperator<ChatMessage> how, Consumer<ChatMessage> tell) {
        Long seq = seqById.get(payload.path("id").asText());
        if (seq == null) {
            return; // a message older than what is loaded: history will show it as it is now
        }
        ChatMessage changed = how.apply(bySeq.get(seq));
        put(changed);
        safely(() -> tell.accept(changed));
    }

    private void put(ChatMessage message) {
        bySeq.put(message.seq(), message);
        seqById.put(message.id(), message.seq());
        messages = List.copyOf(bySeq.values());
    }

    private void load(long seq) {
        bySeq.clear();
        seqById.clear();
        messages = List.of();
        oldestLoaded = -1;
        if (seq == 0) {
            more = false;
            loadedNow();
            return;
        }
        page(seq + 1).whenCompleteAsync((n, e) -> loadedNow(), client.executor());
    }

    private void loadedNow() {
        loaded = true;
        List<ChatMessage> now = messages;
        safely(() -> listener.onLoaded(now));
        readyWaiters.forEach(w -> w.complete(this));
        readyWaiters.clear();
    }

    /** Loads the page before {@code before} into the projection. Event thread. */
    private CompletableFuture<Integer> page(long before) {
        return client.history(channel, HistoryQuery.before(before).limit(options.pageSize()))
                .handleAsync((page, error) -> {
                    if (error != null) {
                        TandemException t = error.getCause() instanceof TandemException c ? c
                                : new TandemException("internal", String.valueOf(error.getMessage()));
                        safely(() -> listener.onError(t));
                        throw t;
                    }
                    int added = 0;
                    for (Publication p : page.publications()) {
                        ChatMessage message = "message.new".equals(p.type()) ? ChatMessage.from(p) : null;
                        if (message != null && !seqById.containsKey(message.id())) {
                            put(message);
                            added++;
                        }
                    }
                    long first = page.publications().isEmpty() ? before : page.publications().get(0).seq();
                    oldestLoaded = oldestLoaded < 0 ? first : Math.min(oldestLoaded, first);
                    more = page.more();
                    return added;
                }, client.executor());
    }

    private int countUnread() {
        String me = client.userId();
        long read = receipts.readUpTo();
        return (int) bySeq.tailMap(read, false).values().stream()
                .filter(m -> !m.deleted() && !Objects.equals(m.userId(), me)).count();
    }

    private void safely(Runnable callback) {
        Callbacks.run(callback, "chat listener of " + channel);
    }

    private static ChatPage chatPage(HistoryPage page) {
        List<ChatMessage> list = new ArrayList<>();
        for (Publication p : page.publications()) {
            ChatMessage m = "message.new".equals(p.type()) ? ChatMessage.from(p) : null;
            if (m != null) {
                list.add(m);
            }
        }
        list.sort(Comparator.comparingLong(ChatMessage::seq));
        return new ChatPage(List.copyOf(list), page.more());
    }

    /** The channel's events, through the shared subscription. */
    private final class Events implements SubscriptionListener {
        @Override
        public void onPublication(Publication publication) {
            if (!closed) {
                onLive(publication);
            }
        }

        @Override
        public void onSubscribed(SubscribedEvent event) {
            if (closed) {
                return;
            }
            if (!loaded || event.stateLost()) {
                load(event.seq());
            }
            receipts.flush();
        }

        @Override
        public void onEvent(JsonNode frame) {
            if (closed) {
                return;
            }
            String type = frame.path("type").asText();
            if ("typing".equals(type)) {
                typing.onTyping(frame.path("payload"), client.userId());
            } else if ("receipt".equals(type)) {
                Receipt receipt = receipts.receive(frame.path("payload"));
                if (receipt != null) {
                    safely(() -> listener.onReceipt(receipt));
                }
            }
        }

        @Override
        public void onError(TandemException error) {
            safely(() -> listener.onError(error));
            readyWaiters.forEach(w -> w.completeExceptionally(error));
            readyWaiters.clear();
        }
    }
}
