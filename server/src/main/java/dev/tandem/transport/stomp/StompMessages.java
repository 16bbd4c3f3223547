package dev.tandem.transport.stomp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.FanoutBuffers;
import dev.tandem.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the hub's native JSON frames into the shared part of a STOMP {@code MESSAGE}: everything after the
 * per-subscription {@code subscription} and {@code destination} headers, that is {@code message-id}, the
 * optional {@code ack}, {@code content-type}, {@code content-length}, the {@code tandem-*} headers, the body
 * and the NUL.
 *
 * <p>Cost. The hub encodes a publication once, as native JSON, and hands every local subscriber a duplicate of
 * the same buffer, on the publisher's thread, one subscriber after another (see {@code Channel}). STOMP needs
 * different bytes, so the first STOMP subscriber of a publication pays one JSON parse and one body encoding;
 * the result is kept in a per-thread cache keyed by the shared buffer (a duplicate of it held while cached, so
 * its identity cannot be recycled by the pool, and released through the leak detector's wrapper like any
 * other), and every further STOMP subscriber of that publication reuses the same two byte arrays: a delivery
 * then costs one small composite buffer. The conversion is CPU only (no I/O, no lock
 * beyond the channel's, which the hub already holds), bounded by the frame size.
 */
final class StompMessages {
    private static final FastThreadLocal<Cache> CACHE = new FastThreadLocal<>() {
        @Override
        protected Cache initialValue() {
            return new Cache();
        }
    };
    private static final AtomicLong EPHEMERAL_IDS = new AtomicLong();

    private StompMessages() {
    }

    /** The conversion of {@code frame}; does not take ownership of it. */
    static Converted convert(ByteBuf frame) {
        ByteBuf root = FanoutBuffers.source(frame);
        Cache cache = CACHE.get();
        if (cache.source != root) {
            Converted value = convertUncached(frame);
            if (cache.keepAlive != null) {
                cache.keepAlive.release();
            }
            cache.source = root;
            cache.keepAlive = frame.retainedDuplicate();
            cache.value = value;
        }
        return cache.value;
    }

    /** The conversion of a native reply frame (an {@code ack}, a {@code presence:sync}), not cached. */
    static Converted convert(ObjectNode frame) {
        return convertUncached(Unpooled.wrappedBuffer(FrameCodec.encode(frame)));
    }

    private static Converted convertUncached(ByteBuf frame) {
        JsonNode json;
        try {
            json = FrameCodec.JSON.readTree(new ByteBufInputStream(frame.duplicate()));
        } catch (IOException e) {
            throw new UncheckedIOException("hub frame is not JSON", e);
        }
        String type = json.path("type").asText();
        if (type.equals("subscribed")) {
            JsonNode payload = json.path("payload");
            return Converted.subscribed(payload.path("seq").asLong(), payload.path("epoch").asText(),
                    payload.path("recovered").asBoolean());
        }
        String messageId = json.has("seq")
                ? json.path("channel").asText() + "@" + json.path("seq").asLong()
                : "e" + EPHEMERAL_IDS.incrementAndGet();
        JsonNode payload = json.path("payload");
        boolean text = payload.isTextual();
        byte[] body = text ? payload.textValue().getBytes(StandardCharsets.UTF_8) : json(payload);
        String contentType = text ? "text/plain;charset=utf-8" : "application/json";
        return new Converted(messageId, shared(json, type, messageId, false, contentType, body),
                shared(json, type, messageId, true, contentType, body), null);
    }

    private static byte[] shared(JsonNode json, String type, String messageId, boolean ack, String contentType, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160 + body.length);
        StompEncoder.writeHeader(out, "message-id", messageId, true);
        if (ack) {
            StompEncoder.writeHeader(out, "ack", messageId, true);
        }
        StompEncoder.writeHeader(out, "content-type", contentType, true);
        StompEncoder.writeHeader(out, "content-length", Integer.toString(body.length), true);
        if (!type.equals("publication")) {
            StompEncoder.writeHeader(out, "tandem-type", type, true);
        }
        if (json.has("seq")) {
            StompEncoder.writeHeader(out, "tandem-seq", json.path("seq").asText(), true);
        }
        if (json.hasNonNull("userId")) {
            StompEncoder.writeHeader(out, "tandem-user", json.path("userId").asText(), true);
        }
        out.write('\n');
        out.writeBytes(body);
        out.write(0);
        return out.toByteArray();
    }

    private static byte[] json(JsonNode node) {
        try {
            return FrameCodec.JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A converted hub frame: either a message (shared bytes without and with the {@code ack} header) or the
     * hub's {@code subscribed} reply.
     */
    record Converted(String messageId, byte[] plain, byte[] withAck, Subscribed subscribed) {
        static Converted subscribed(long seq, String epoch, boolean recovered) {
            return new Converted(null, null, null, new Subscribed(seq, epoch, recovered));
        }
    }

    /** The channel position the hub reported when a subscription started. */
    record Subscribed(long seq, String epoch, boolean recovered) {
    }

    private static final class Cache {
        /** The cached publication by identity: the buffer every duplicate of it unwraps to. */
        ByteBuf source;
        /** A duplicate that keeps {@code source} from going back to the pool while it is the key. */
        ByteBuf keepAlive;
        Converted value;
    }
}
