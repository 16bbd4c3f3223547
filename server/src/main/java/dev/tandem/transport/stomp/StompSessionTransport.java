package dev.tandem.transport.stomp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.session.SessionTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A STOMP session's WebSocket: every queued buffer is one complete STOMP frame and goes out as one text
 * message. A server-side close that is not a normal one ({@code DISCONNECT}) becomes an {@code ERROR} frame
 * carrying the reason the session gives (slow consumer, protocol error, shutdown) before the close frame, since
 * STOMP clients do not read the native {@code disconnect} frame.
 */
final class StompSessionTransport implements SessionTransport {
    private static final long FORCE_CLOSE_MILLIS = 1000;

    private final Channel channel;
    private volatile boolean errorSent;

    StompSessionTransport(Channel channel) {
        this.channel = channel;
    }

    /** The handler has queued its own {@code ERROR} (behind the frames already queued); close without another. */
    void errorSent() {
        this.errorSent = true;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public String name() {
        return "stomp";
    }

    @Override
    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void write(ByteBuf frame) {
        channel.write(new TextWebSocketFrame(frame), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close(CloseCode code, ByteBuf disconnectFrame) {
        String reason = reason(disconnectFrame);
        disconnectFrame.release();
        if (!channel.isActive()) {
            return;
        }
        closeWith(channel, code, code == CloseCode.NORMAL || errorSent ? null : StompEncoder.error(reason, null));
    }

    /** Writes {@code error} (when non-null) and the close frame, and closes the socket within a second regardless. */
    static void closeWith(Channel channel, CloseCode code, byte[] error) {
        if (error != null) {
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(error)), channel.voidPromise());
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), code.name().toLowerCase()))
                .addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, FORCE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
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
