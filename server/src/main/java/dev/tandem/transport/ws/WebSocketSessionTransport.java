package dev.tandem.transport.ws;

import dev.tandem.protocol.CloseCode;
import dev.tandem.session.SessionTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.TimeUnit;

/**
 * A session's WebSocket: each frame becomes one text message. Closing writes {@code disconnect} and the close
 * frame, then half-closes the socket and keeps reading (and discarding) until the peer answers or goes away:
 * closing outright while the peer's bytes are still unread (a frame over the limit) would make the kernel send
 * a reset, and the client would see 1006 instead of the close code. A peer that does not read (the slow
 * consumer case) gets one second before the socket is closed regardless.
 */
final class WebSocketSessionTransport implements SessionTransport {
    private static final long FORCE_CLOSE_MILLIS = 1000;

    private final Channel channel;

    WebSocketSessionTransport(Channel channel) {
        this.channel = channel;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public String name() {
        return "ws";
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
        if (!channel.isActive()) {
            disconnectFrame.release();
            return;
        }
        channel.write(new TextWebSocketFrame(disconnectFrame), channel.voidPromise());
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
