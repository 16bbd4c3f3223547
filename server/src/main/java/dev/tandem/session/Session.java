package dev.tandem.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.auth.Identity;
import dev.tandem.hub.Delivery;
import dev.tandem.hub.Subscriber;
import dev.tandem.limits.CommandBudget;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One client connection, independent of its transport: who it is, what it is subscribed to, and its bounded
 * outbound path. Frames from any thread go into the {@link OutboundQueue}; the loop's {@link LoopWriter}
 * moves them to the socket while it is writable. When the queue would overflow the session is a slow
 * consumer: it is disconnected with 4008 (it may resume with {@code since}) instead of growing the heap or
 * holding up the publisher. Its {@link Identity} is null until the client has authenticated (a handshake
 * without credentials waits for {@code connect}), and is replaced by {@code refresh}.
 */
public final class Session implements Subscriber {
    private final String id;
    private volatile Identity identity;
    private final SessionTransport transport;
    private final CommandBudget commandBudget;
    private final OutboundQueue queue;
    private final LoopWriter writer;
    private final TandemMetrics metrics;
    private final SubscriptionSet subscriptions = new SubscriptionSet();
    // Plain volatile fields behind static updaters rather than atomic objects: every idle connection has a
    // session, so each object saved is heap saved per connection.
    private static final AtomicIntegerFieldUpdater<Session> DIRTY =
            AtomicIntegerFieldUpdater.newUpdater(Session.class, "dirty");
    private static final AtomicReferenceFieldUpdater<Session, CloseReason> CLOSE_REASON =
            AtomicReferenceFieldUpdater.newUpdater(Session.class, CloseReason.class, "closeReason");
    /** 1 while the session is marked for its loop's next write pass. */
    private volatile int dirty;
    /** When the oldest unwritten frame was enqueued (nanoTime), 0 when none: for the delivery-latency sample. */
    private volatile long pendingSince;
    /**
     * When this connection was last written, in {@link #ticks()}; event loop only. An int keeps the session small.
     * It starts half the clock's range in the past, so a new connection counts as quiet and its first frame goes
     * out at once.
     */
    private int lastWrite = ticks() + Integer.MIN_VALUE;
    private volatile CloseReason closeReason;

    Session(String id, Identity identity, SessionTransport transport, OutboundQueue queue, LoopWriter writer,
            TandemMetrics metrics, CommandBudget commandBudget) {
        this.id = id;
        this.identity = identity;
        this.transport = transport;
        this.commandBudget = commandBudget;
        this.queue = queue;
        this.writer = writer;
        this.metrics = metrics;
    }

    public String id() {
        return id;
    }

    @Override
    public String transportName() {
        return transport.name();
    }

    /** The user id, or null while the session awaits {@code connect}. */
    public String userId() {
        Identity current = identity;
        return current == null ? null : current.userId();
    }

    /** Who the client is, or null while the session awaits {@code connect}. */
    public Identity identity() {
        return identity;
    }

    /** Whether the client has authenticated (or was admitted anonymously). */
    public boolean isIdentified() {
        return identity != null;
    }

    /** Sets or replaces (on {@code refresh}) the identity; done by the session registry. */
    void identify(Identity identity) {
        this.identity = identity;
    }

    TandemMetrics metrics() {
        return metrics;
    }

    /** The connection's command rate budget, which every wire protocol's commands draw on. */
    public CommandBudget commandBudget() {
        return commandBudget;
    }

    public SessionTransport transport() {
        return transport;
    }

    /** Channel names this session is subscribed to; mutated only by the session's own commands and close. */
    public SubscriptionSet subscriptions() {
        return subscriptions;
    }

    /** Enqueues an encoded event in the normal lane, from any thread; takes ownership of it. */
    @Override
    public void send(ByteBuf frame) {
        send(frame, Delivery.NORMAL);
    }

    /** Enqueues an encoded frame with its delivery class, from any thread; takes ownership of it. */
    @Override
    public void send(ByteBuf frame, Delivery delivery) {
        if (queue.offer(frame, delivery)) {
            writer.markDirty(this);
        } else if (closeReason == null) {
            metrics.droppedQueueFull().increment();
            metrics.slowConsumerDisconnects().increment();
            disconnect(CloseCode.POLICY, "slow consumer: outbound queue full");
        } else {
            metrics.droppedOnClose().increment();
        }
    }

    @Override
    public boolean hasRoomFor(int frames, long bytes) {
        return queue.hasRoomFor(frames, bytes);
    }

    /**
     * Encodes (in the transport's form) and enqueues a reply or control event; it overtakes queued publications.
     * A transport with no form for it (STOMP) drops it.
     */
    public void send(ObjectNode frame) {
        ByteBuf encoded = transport.encode(frame);
        if (encoded != null) {
            send(encoded, Delivery.CONTROL);
        }
    }

    public void sendError(JsonNode requestId, ErrorCode code, String message) {
        sendError(requestId, code, message, null);
    }

    /** An {@code error} reply with a {@code details} object (null for none). */
    public void sendError(JsonNode requestId, ErrorCode code, String message, JsonNode details) {
        metrics.errorFrames(code).increment();
        send(FrameCodec.error(requestId, code, message, details));
    }

    /** Sends the error frame for a refusal, keeping its {@code retryAfter} hint. */
    public void sendError(JsonNode requestId, ProtocolException refusal) {
        metrics.errorFrames(refusal.code()).increment();
        send(FrameCodec.error(requestId, refusal));
    }

    /**
     * Closes from any thread: drops what is queued, sends {@code disconnect} with the code and closes. Only the
     * first call counts; its reason is the one logged.
     */
    public void disconnect(CloseCode code, String reason) {
        if (!CLOSE_REASON.compareAndSet(this, null, new CloseReason(code, reason))) {
            return;
        }
        if (transport.eventLoop().inEventLoop()) {
            // What was queued before the decision to close (a STOMP receipt for DISCONNECT, an ERROR frame) goes
            // out first, even if write coalescing was holding it.
            flushPending();
        }
        metrics.droppedOnClose().increment(queue.close());
        byte[] frame = FrameCodec.encode(FrameCodec.disconnect(code, reason));
        transport.eventLoop().execute(() -> transport.close(code, Unpooled.wrappedBuffer(frame)));
    }

    /** Records why the peer went away when it was not the server's doing (first reason wins). */
    public void closedByPeer(String reason) {
        CLOSE_REASON.compareAndSet(this, null, new CloseReason(CloseCode.NORMAL, reason));
        metrics.droppedOnClose().increment(queue.close());
    }

    public CloseReason closeReason() {
        return closeReason;
    }

    boolean markDirty() {
        if (!DIRTY.compareAndSet(this, 0, 1)) {
            return false;
        }
        if (pendingSince == 0) {
            pendingSince = System.nanoTime();
        }
        return true;
    }

    /**
     * A coarse clock for write coalescing: {@code nanoTime} in units of 1.024 µs, as an int. It wraps after about
     * 73 minutes; differences stay right for half that, and a connection quiet for longer than that can at worst
     * be taken for a busy one once, costing one frame one flush delay.
     */
    static int ticks() {
        return (int) (System.nanoTime() >>> 10);
    }

    static long ticksOf(long nanos) {
        return nanos >>> 10;
    }

    static long nanosOf(int ticks) {
        return (long) ticks << 10;
    }

    /** Whether a reply or other control frame is queued: those are written at once, never held. */
    boolean hasControlPending() {
        return queue.hasControl();
    }

    /** Whether this connection was written less than {@code delay} ticks before {@code now}; event loop only. */
    boolean wroteWithin(int now, int delay) {
        int since = now - lastWrite;
        return since >= 0 && since < delay;
    }

    /**
     * Ticks from {@code now} until the oldest unwritten frame has waited {@code delay} (≤ 0: due, also when its
     * enqueue time was lost to a race with a write), never more than {@code delay}: a stamp kept by a frame that
     * raced a write may be older than the tick clock's half range, and must not read as far in the future; event
     * loop only.
     */
    int ticksUntilDue(int now, int delay) {
        long since = pendingSince;
        return since == 0 ? 0 : Math.min((int) ticksOf(since) + delay - now, delay);
    }

    /** Bytes waiting in this session's outbound queue. */
    public long queuedBytes() {
        return queue.bytes();
    }

    /**
     * Moves queued frames to the socket while it is writable, then flushes once; event loop only. Returns
     * when the oldest frame written was enqueued (nanoTime), or 0 when nothing was written or it is unknown.
     */
    long flushPending() {
        dirty = 0;
        int written = 0;
        while (transport.isWritable()) {
            ByteBuf frame = queue.poll();
            if (frame == null) {
                break;
            }
            transport.write(frame);
            written++;
        }
        long since = written > 0 ? pendingSince : 0;
        if (written > 0) {
            metrics.framesOut().increment(written);
            metrics.socketWrites().increment();
            transport.flush();
            lastWrite = ticks();
        }
        if (queue.isEmpty()) {
            // A frame racing in now keeps the old stamp or loses its sample; never a wrong, huge one.
            pendingSince = 0;
        }
        return since;
    }

    /** The transport calls this when the socket can take more again. */
    public void onWritable() {
        if (!queue.isEmpty()) {
            writer.markDirty(this);
        }
    }

    /**
     * Why a session ended.
     *
     * @param code   the close code
     * @param reason human-readable reason, logged on disconnect
     */
    public record CloseReason(CloseCode code, String reason) {
    }
}
