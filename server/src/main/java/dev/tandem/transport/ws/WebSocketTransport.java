package dev.tandem.transport.ws;

import dev.tandem.protocol.CloseCode;
import dev.tandem.session.SessionTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
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
        channel.write(new TextWebSocketFrame(frame), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
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
