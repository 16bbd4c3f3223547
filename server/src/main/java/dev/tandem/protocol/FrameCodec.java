package dev.tandem.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Reads client frames and writes server frames of the native protocol (shared JSON envelope:
 * {@code type, channel, requestId, seq, payload, timestamp}). Server frames are built here and only here,
 * so the field order and the {@code timestamp} on every server frame are uniform across transports.
 */
public final class FrameCodec {
    /** The one mapper of the server: thread-safe once configured. */
    public static final ObjectMapper JSON = createMapper();

    private FrameCodec() {
    }

    private static ObjectMapper createMapper() {
        ObjectMapper mapper = new ObjectMapper();
        // Deeply nested input is a cheap way to burn stack; client frames never need more than this.
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        return mapper;
    }

    /**
     * Parses one client frame; a defect of the JSON itself becomes a {@code bad_request} naming it. A
     * missing {@code type} is left to the dispatcher, which can still echo the {@code requestId}.
     */
    public static InboundFrame parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw ProtocolException.badRequest("malformed JSON: " + e.getOriginalMessage());
        }
        return parse(root);
    }

    /** Reads one client frame that is already a JSON tree (e.g. an element of a POSTed array). */
    public static InboundFrame parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw ProtocolException.badRequest("a frame must be a JSON object");
        }
        JsonNode requestId = root.get("requestId");
        if (requestId != null && !(requestId.isTextual() || requestId.isIntegralNumber())) {
            throw ProtocolException.badRequest("'requestId' must be a string or an integer");
        }
        JsonNode type = root.get("type");
        boolean typed = type != null && type.isTextual() && !type.textValue().isEmpty();
        return new InboundFrame(typed ? type.textValue() : null, requestId, root);
    }

    /** A reply or event envelope with {@code type}, and the given {@code requestId} and channel when non-null. */
    public static ObjectNode envelope(String type, JsonNode requestId, String channel) {
        ObjectNode frame = JSON.createObjectNode();
        frame.put("type", type);
        if (channel != null) {
            frame.put("channel", channel);
        }
        if (requestId != null) {
            frame.set("requestId", requestId);
        }
        return frame;
    }

    /** An {@code error} frame. */
    public static ObjectNode error(JsonNode requestId, ErrorCode code, String message) {
        return error(requestId, code, message, null);
    }

    /** An {@code error} frame with {@code payload.details} when {@code details} is non-null. */
    public static ObjectNode error(JsonNode requestId, ErrorCode code, String message, JsonNode details) {
        ObjectNode frame = envelope("error", requestId, null);
        ObjectNode payload = frame.putObject("payload").put("code", code.wireName()).put("message", message);
        if (details != null) {
            payload.set("details", details);
        }
        return frame;
    }

    /**
     * The {@code error} frame for a refusal, with its {@code details} and {@code retryAfter} (ms) when it says when
     * to try again.
     */
    public static ObjectNode error(JsonNode requestId, ProtocolException refusal) {
        ObjectNode frame = error(requestId, refusal.code(), refusal.getMessage(), refusal.details());
        if (refusal.retryAfter() != null) {
            ((ObjectNode) frame.get("payload")).put("retryAfter", refusal.retryAfter().toMillis());
        }
        return frame;
    }

    /** A {@code disconnect} frame sent just before the server closes. */
    public static ObjectNode disconnect(CloseCode code, String reason) {
        ObjectNode frame = envelope("disconnect", null, null);
        frame.putObject("payload").put("code", code.code()).put("reason", reason).put("reconnect", code.reconnect());
        return frame;
    }

    /** A {@code disconnect} that also says how long to stay away ({@code retryAfter}, ms), e.g. a 1013 refusal. */
    public static ObjectNode disconnect(CloseCode code, String reason, Duration retryAfter) {
        ObjectNode frame = disconnect(code, reason);
        ((ObjectNode) frame.get("payload")).put("retryAfter", retryAfter.toMillis());
        return frame;
    }

    /** Stamps the server time and serialises; every server frame leaves through here. */
    public static byte[] encode(ObjectNode frame) {
        return encodeAt(frame, System.currentTimeMillis());
    }

    /**
     * Stamps the server time and serialises straight into a buffer of {@code alloc}, which the caller owns. For
     * a frame written to one connection: a large one (a {@code presence:sync} of hundreds of members) then leaves
     * no heap garbage behind, where {@link #encode(ObjectNode)} allocates it about three times over (the
     * builder's segments, the array, the direct copy the socket write makes).
     */
    public static ByteBuf encode(ObjectNode frame, ByteBufAllocator alloc) {
        frame.put("timestamp", System.currentTimeMillis());
        ByteBuf out = alloc.directBuffer();
        boolean written = false;
        try {
            // As an OutputStream: the stream is a DataOutput too, which Jackson would write differently.
            JSON.writeValue((OutputStream) new ByteBufOutputStream(out), frame);
            written = true;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!written) {
                out.release();
            }
        }
    }

    /** Serialises with a given {@code timestamp}: a stored event keeps the time it was created. */
    public static byte[] encodeAt(ObjectNode frame, long timestamp) {
        frame.put("timestamp", timestamp);
        try {
            return JSON.writeValueAsBytes(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
