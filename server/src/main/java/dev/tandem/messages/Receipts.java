package dev.tandem.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.ChatConfig;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.AsyncReplies;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import dev.tandem.store.ReceiptCursor;
import dev.tandem.store.Store;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Read receipts: the {@code receipt} command stores a user's {@code deliveredUpTo} / {@code readUpTo} cursor
 * for a channel (never moving it back), and the channel hears about it as an ephemeral
 * {@code receipt {userId, name, kind, upTo}} at most once per {@code chat.receiptInterval} per user: the first
 * receipt goes out at once, later ones within the interval are coalesced into one sent when it ends. A read
 * receipt implies delivery, so {@code delivered} is announced only while it is ahead of {@code read}.
 */
public final class Receipts implements AutoCloseable {
    private final Hub hub;
    private final Store store;
    private final long intervalMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Announcement> announcements = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-receipts");
        t.setDaemon(true);
        return t;
    });

    public Receipts(Hub hub, Store store, ChatConfig config, Clock clock) {
        this.hub = hub;
        this.store = store;
        this.intervalMillis = config.receiptInterval().toMillis();
        this.clock = clock;
    }

    public void registerOn(CommandRouter router) {
        router.register("receipt", this::receipt);
    }

    private void receipt(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        JsonNode kind = frame.payload().get("kind");
        boolean read = kind != null && "read".equals(kind.asText());
        if (kind == null || !(read || "delivered".equals(kind.asText()))) {
            throw ProtocolException.badRequest("'payload.kind' must be \"delivered\" or \"read\"");
        }
        long upTo = InboundFrame.optionalSeq(frame.payload(), "upTo", -1);
        if (upTo < 0) {
            throw ProtocolException.badRequest("'payload.upTo' is required and must be a non-negative integer");
        }
        ReceiptCursor cursor = new ReceiptCursor(channel, session.userId(), session.identity().name(), upTo,
                read ? upTo : 0);
        store.saveReceipt(cursor).whenComplete((stored, error) -> {
            if (error != null) {
                AsyncReplies.fail(session, frame.requestId(), error);
                return;
            }
            announce(stored);
        });
    }

    private void announce(ReceiptCursor stored) {
        Announcement a = announcements.computeIfAbsent(stored.channel() + '\u0000' + stored.userId(),
                k -> new Announcement(stored.channel(), stored.userId(), stored.userName()));
        synchronized (a) {
            a.delivered = Math.max(a.delivered, stored.deliveredUpTo());
            a.read = Math.max(a.read, stored.readUpTo());
            if (a.scheduled) {
                return;
            }
            long wait = a.lastSentAt + intervalMillis - clock.millis();
            if (wait > 0) {
                a.scheduled = true;
                timer.schedule(() -> send(a), wait, TimeUnit.MILLISECONDS);
                return;
            }
        }
        send(a);
    }

    private void send(Announcement a) {
        synchronized (a) {
            a.scheduled = false;
            a.lastSentAt = clock.millis();
            // "read up to N" implies "delivered up to N": announce delivery only when it is ahead of reading
            if (a.delivered > a.sentDelivered && a.delivered > a.read) {
                broadcast(a, "delivered", a.delivered);
            }
            a.sentDelivered = Math.max(a.sentDelivered, a.delivered);
            if (a.read > a.sentRead) {
                a.sentRead = a.read;
                broadcast(a, "read", a.read);
            }
        }
    }

    private void broadcast(Announcement a, String kind, long upTo) {
        ObjectNode event = FrameCodec.envelope("receipt", null, a.channel);
        event.putObject("payload").put("userId", a.userId).put("name", a.userName).put("kind", kind).put("upTo", upTo);
        hub.broadcast(a.channel, event, null);
    }

    /** Forgets users who have not sent a receipt for a while (their cursors stay in the store). */
    public void sweep() {
        long cutoff = clock.millis() - 2 * intervalMillis;
        announcements.values().removeIf(a -> {
            synchronized (a) {
                return !a.scheduled && a.lastSentAt < cutoff;
            }
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** What the channel has been told about one user, and what it will be told next. Guarded by itself. */
    private static final class Announcement {
        final String channel;
        final String userId;
        final String userName;
        long delivered;
        long read;
        long sentDelivered;
        long sentRead;
        long lastSentAt = Long.MIN_VALUE / 2;
        boolean scheduled;

        Announcement(String channel, String userId, String userName) {
            this.channel = channel;
            this.userId = userId;
            this.userName = userName;
        }
    }
}
