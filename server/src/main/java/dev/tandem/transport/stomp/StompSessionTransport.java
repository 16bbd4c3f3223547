package dev.tandem.transport.stomp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.transport.ws.WebSocketTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.IOException;

/**
 * A STOMP session's WebSocket: every queued buffer is one complete STOMP frame and goes out as one text
 * message. A server-side close that is not a normal one ({@code DISCONNECT}) becomes an {@code ERROR} frame
 * carrying the reason the session gives (slow consumer, protocol error, shutdown) before the close frame, since
 * STOMP clients do not read the native {@code disconnect} frame.
 */
final class StompSessionTransport extends WebSocketTransport {
    private volatile boolean errorSent;

    StompSessionTransport(Channel channel) {
        super(channel);
    }

    /** The handler has queued its own {@code ERROR} (behind the frames already queued); close without another. */
    void errorSent() {
        this.errorSent = true;
    }

    @Override
    public String name() {
        return "stomp";
    }

    /**
     * Native replies and warnings (such as the token-expiry warning before its close) have no STOMP form: the
     * STOMP code answers in its own frames ({@code RECEIPT}, {@code MESSAGE}, {@code ERROR}), so a native frame
     * that reaches this session is dropped rather than written as JSON to a STOMP client.
     */
    @Override
    public ByteBuf encode(ObjectNode frame) {
        return null;
    }

    @Override
    public void close(CloseCode code, ByteBuf disconnectFrame) {
        String reason = reason(disconnectFrame);
        disconnectFrame.release();
        closeWith(channel, code, code == CloseCode.NORMAL || errorSent ? null
                : Unpooled.wrappedBuffer(StompEncoder.error(reason, null)));
    }

    private static String reason(ByteBuf disconnectFrame) {
        try {
            JsonNode json = FrameCodec.JSON.readTree(new ByteBufInputStream(disconnectFrame.duplicate()));
            return json.path("payload").path("reason").asText("connection closed");
        } catch (IOException e) {
            return "connection closed";
        }
    }
}
