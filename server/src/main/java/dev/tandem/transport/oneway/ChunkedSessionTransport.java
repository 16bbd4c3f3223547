package dev.tandem.transport.oneway;

import dev.tandem.protocol.CloseCode;
import dev.tandem.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;

/**
 * A session carried by one chunked HTTP response (SSE or NDJSON): every frame becomes one chunk that also
 * carries the cursor resuming right after it. Closing writes {@code disconnect}, ends the response and closes
 * the connection, with the same one-second limit as WebSocket for a peer that does not read.
 */
final class ChunkedSessionTransport implements ResumableTransport {
    private static final long FORCE_CLOSE_MILLIS = 1000;

    private final Channel channel;
    private final StreamFormat format;
    private final CursorTracker tracker = new CursorTracker();
    private String sessionId = "";
    private long counter;

    ChunkedSessionTransport(Channel channel, StreamFormat format) {
        this.channel = channel;
        this.format = format;
    }

    @Override
    public CursorTracker tracker() {
        return tracker;
    }

    @Override
    public void bind(Session session) {
        sessionId = session.id();
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public String name() {
        return format.name();
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
        tracker.observe(frame);
        counter++;
        ByteBuf event = format.event(tracker.cursor(sessionId, counter), frame, channel.alloc());
        channel.write(new DefaultHttpContent(event), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    void keepAlive() {
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultHttpContent(format.keepAlive(channel.alloc())), channel.voidPromise());
        }
    }

    @Override
    public void close(CloseCode code, ByteBuf disconnectFrame) {
        if (!channel.isActive()) {
            disconnectFrame.release();
            return;
        }
        write(disconnectFrame);
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, FORCE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
