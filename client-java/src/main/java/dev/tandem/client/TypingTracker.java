package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * "Who is typing" in one channel, as the JS SDK's {@code Typing}: {@link #start} (call it on every keystroke)
 * sends {@code typing} at most once per interval (2 s, the server's pace), {@link #stop} makes the next start
 * send at once; the others typing are kept until {@code timeout} (5 s) after their last event, or until a
 * message of theirs arrives. Event thread only.
 */
final class TypingTracker {
    private final TandemClient client;
    private final String channel;
    private final Duration interval;
    private final Duration timeout;
    private final Consumer<List<ChatUser>> onChange;
    private final Map<String, Entry> typists = new LinkedHashMap<>();
    private long lastSentNanos;
    private boolean sentOnce;
    private volatile List<ChatUser> snapshot = List.of();

    TypingTracker(TandemClient client, String channel, Duration interval, Duration timeout,
                  Consumer<List<ChatUser>> onChange) {
        this.client = client;
        this.channel = channel;
        this.interval = interval;
        this.timeout = timeout;
        this.onChange = onChange;
    }

    List<ChatUser> typists() {
        return snapshot;
    }

    /** Returns whether a {@code typing} command went out. */
    boolean start() {
        long now = System.nanoTime();
        if (sentOnce && now - lastSentNanos < interval.toNanos()) {
            return false;
        }
        if (!client.sendNow(Frames.command("typing", channel), null)) {
            return false;
        }
        sentOnce = true;
        lastSentNanos = now;
        return true;
    }

    void stop() {
        sentOnce = false;
    }

    /** A {@code typing} event from the channel. */
    void onTyping(JsonNode payload, String me) {
        String userId = payload.path("userId").asText(null);
        if (userId == null || userId.equals(me)) {
            return;
        }
        Entry known = typists.get(userId);
        if (known != null) {
            known.expiry.cancel(false);
        }
        ScheduledFuture<?> expiry = client.scheduler().schedule(() -> remove(userId), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        typists.put(userId, new Entry(new ChatUser(userId, payload.path("name").asText(userId)), expiry));
        if (known == null) {
            publish();
        }
    }

    /** {@code userId} sent a message, or stopped long enough ago. */
    void remove(String userId) {
        Entry entry = typists.remove(userId);
        if (entry == null) {
            return;
        }
        entry.expiry.cancel(false);
        publish();
    }

    void close() {
        typists.values().forEach(e -> e.expiry.cancel(false));
        typists.clear();
        snapshot = List.of();
    }

    private void publish() {
        snapshot = typists.values().stream().map(Entry::typist).toList();
        onChange.accept(snapshot);
    }

    private record Entry(ChatUser typist, ScheduledFuture<?> expiry) {
    }
}
