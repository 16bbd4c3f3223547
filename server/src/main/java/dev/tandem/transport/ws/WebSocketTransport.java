package dev.tandem.transport.ws;

import dev.tandem.protocol.CloseCode;
import dev.tandem.session.SessionTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/**
 * A session's WebSocket, whatever the text protocol on it (native JSON, STOMP): each frame becomes one text
 * message. {@link #closeWith} is the one close sequence: a last text frame (the protocol's own goodbye), the
 * close frame, then a half-close that keeps reading (and discarding) until the peer answers or goes away —
 * closing outright while the peer's bytes are still unread (a frame over the limit) would make the kernel send
 * a reset, and the client would see 1006 instead of the close code. A peer that does not read (the slow
 * consumer case) gets one second before the socket is closed regardless.
 */
public abstract class WebSocketTransport implements SessionTransport {
    private static final long FORCE_CLOSE_MILLIS = 1000;
    /** The attribute under which Netty's protocol handler keeps the handshaker (same name, same key). */
    private static final AttributeKey<WebSocketServerHandshaker> HANDSHAKER =
            AttributeKey.valueOf(WebSocketServerHandshaker.class, "HANDSHAKER");

    protected final Channel channel;

    protected WebSocketTransport(Channel channel) {
        this.channel = channel;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
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
        ByteBuf framed = SharedTextFrames.framed(frame, channel.alloc());
        channel.write(framed != null ? framed : new TextWebSocketFrame(frame), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    /**
     * Answers the peer's close frame (RFC 6455 §5.5.1: echo its status code), unless this side's close is
     * already out (then the peer's frame is the answer), and closes the connection.
     */
    public static void answerClose(Channel channel, CloseWebSocketFrame close) {
        if (channel instanceof DuplexChannel duplex && duplex.isOutputShutdown()) {
            channel.close();
            return;
        }
        int status = close.statusCode();
        CloseWebSocketFrame answer = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, null);
        channel.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Drops the handshaker Netty keeps on the channel after the handshake; it only serves close frames, which
     * endpoints with {@code WebSocketEndpoint.Framing.ENDPOINT} answer with {@link #answerClose}. Saves about
     * a hundred bytes per idle connection. Removed, not set to null: a null-valued attribute still holds its
     * entry and the channel's attribute array (48 B more). The removal is deprecated for its race with another
     * thread's {@code attr(key)}; only this channel's loop touches the key, after the handshake.
     */
    @SuppressWarnings("deprecation")
    public static void forgetHandshaker(Channel channel) {
        channel.attr(HANDSHAKER).remove();
    }

    /** Writes {@code lastFrame} (when non-null; ownership taken) and the close frame, then closes as above. */
    public static void closeWith(Channel channel, CloseCode code, ByteBuf lastFrame) {
        if (!channel.isActive()) {
            if (lastFrame != null) {
                lastFrame.release();
            }
            return;
        }
        if (lastFrame != null) {
            channel.write(new TextWebSocketFrame(lastFrame), channel.voidPromise());
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), code.name().toLowerCase())).addListener(written -> {
            if (channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, FORCE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
