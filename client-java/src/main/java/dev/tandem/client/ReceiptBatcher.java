package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Read and delivered receipts of one channel, as the JS SDK's {@code Receipts}: this user's positions only move
 * forward, and {@code receipt} commands go out batched, the first at once and then at most one per interval (the
 * server's own pace, 2 s), so marking every message read as it scrolls by sends a handful of frames; what was
 * marked while disconnected goes out on the next {@code subscribed}. Also folds the channel's {@code receipt}
 * events into every user's positions. Event thread only.
 */
final class ReceiptBatcher {
    private final TandemClient client;
    private final String channel;
    private final Duration interval;
    private final Consumer<TandemException> onError;
    private final Map<String, Receipt.Position> positions = new LinkedHashMap<>();
    private long read;
    private long delivered;
    private long sentRead;
    private long sentDelivered;
    private ScheduledFuture<?> timer;
    private volatile Map<String, Receipt.Position> snapshot = Map.of();

    ReceiptBatcher(TandemClient client, String channel, Duration interval, long readUpTo,
                   Consumer<TandemException> onError) {
        this.client = client;
        this.channel = channel;
        this.interval = interval;
        this.onError = onError;
        this.read = readUpTo;
        this.sentRead = readUpTo;
    }

    long readUpTo() {
        return read;
    }

    Map<String, Receipt.Position> positions() {
        return snapshot;
    }

    /** Reading implies delivery. */
    void markRead(long upTo) {
        if (upTo <= read) {
            return;
        }
        read = upTo;
        delivered = Math.max(delivered, upTo);
        schedule();
    }

    void markDelivered(long upTo) {
        if (upTo <= delivered) {
            return;
        }
        delivered = upTo;
        schedule();
    }

    /** A {@code receipt} event of the channel; returns it, or null when it is malformed. */
    Receipt receive(JsonNode payload) {
        String userId = payload.path("userId").asText(null);
        String kind = payload.path("kind").asText();
        if (userId == null || !payload.path("upTo").canConvertToLong() || !(kind.equals("read") || kind.equals("delivered"))) {
            return null;
        }
        long upTo = payload.path("upTo").asLong();
        Receipt.Position was = positions.getOrDefault(userId, new Receipt.Position(0, 0));
        long newRead = kind.equals("read") ? Math.max(was.read(), upTo) : was.read();
        long newDelivered = Math.max(Math.max(was.delivered(), newRead), kind.equals("delivered") ? upTo : 0);
        positions.put(userId, new Receipt.Position(newRead, newDelivered));
        snapshot = Map.copyOf(positions);
        return new Receipt(userId, payload.path("name").asText(userId),
                kind.equals("read") ? Receipt.Kind.READ : Receipt.Kind.DELIVERED, upTo);
    }

    /** Sends what is unsent now (after a (re)subscribe), without waiting for the interval. */
    void flush() {
        if (read > sentRead && send(Receipt.Kind.READ, read)) {
            sentRead = read;
        }
        if (delivered > Math.max(sentDelivered, read) && send(Receipt.Kind.DELIVERED, delivered)) {
            sentDelivered = delivered;
        }
    }

    void close() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void schedule() {
        if (timer != null) {
            return;
        }
        flush();
        timer = client.scheduler().schedule(() -> {
            timer = null;
            if (read > sentRead || delivered > Math.max(sentDelivered, read)) {
                schedule();
            }
        }, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean send(Receipt.Kind kind, long upTo) {
        ObjectNode command = Frames.command("receipt", channel);
        command.putObject("payload").put("kind", kind.wire()).put("upTo", upTo);
        return client.sendNow(command, onError);
    }
}
