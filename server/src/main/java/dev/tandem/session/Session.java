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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
    private final Set<String> subscriptions = Collections.synchronizedSet(new LinkedHashSet<>());
    private final AtomicBoolean dirty = new AtomicBoolean();
    /** When the oldest unwritten frame was enqueued (nanoTime), 0 when none: for the delivery-latency sample. */
    private volatile long pendingSince;
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();

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

    CommandBudget commandBudget() {
        return commandBudget;
    }

    public SessionTransport transport() {
        return transport;
    }

    /** Channel names this session is subscribed to; mutated only by the session's own commands and close. */
    public Set<String> subscriptions() {
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
        } else if (closeReason.get() == null) {
            metrics.droppedQueueFull().increment();
            metrics.slowConsumerDisconnects().increment();
            disconnect(CloseCode.POLICY, "slow consumer: outbound queue full");
        } else {
            metrics.droppedOnClose().increment();
        }
    }

    /** Encodes and enqueues a reply or control event; it overtakes queued publications. */
    public void send(ObjectNode frame) {
        send(Unpooled.wrappedBuffer(FrameCodec.encode(frame)), Delivery.CONTROL);
    }

    public void sendError(JsonNode requestId, ErrorCode code, String message) {
        sendError(requestId, code, message, null);
    }

    /** An {@code error} reply with a {@code details} object (null for none). */
    public void sendError(JsonNode requestId, ErrorCode code, String message, JsonNode details) {
        metrics.errorFrames(code).increment();
        send(FrameCodec.error(requestId, code, message, details));
    }

    /**
     * Closes from any thread: drops what is queued, sends {@code disconnect} with the code and closes. Only the
     * first call counts; its reason is the one logged.
     */
    public void disconnect(CloseCode code, String reason) {
        if (!closeReason.compareAndSet(null, new CloseReason(code, reason))) {
            return;
        }
        metrics.droppedOnClose().increment(queue.close());
        byte[] frame = FrameCodec.encode(FrameCodec.disconnect(code, reason));
        transport.eventLoop().execute(() -> transport.close(code, Unpooled.wrappedBuffer(frame)));
    }

    /** Records why the peer went away when it was not the server's doing (first reason wins). */
    public void closedByPeer(String reason) {
        closeReason.compareAndSet(null, new CloseReason(CloseCode.NORMAL, reason));
        metrics.droppedOnClose().increment(queue.close());
    }

    public CloseReason closeReason() {
        return closeReason.get();
    }

    boolean markDirty() {
        if (!dirty.compareAndSet(false, true)) {
            return false;
        }
        if (pendingSince == 0) {
            pendingSince = System.nanoTime();
        }
        return true;
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
        dirty.set(false);
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
            transport.flush();
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
