package dev.tandem.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One generator connection on Netty: opens a WebSocket, subscribes when asked, answers keep-alives, and hands
 * every delivered message to a {@link DeliverySink}. Cheap per message: deliveries are recognised and timed by
 * a byte-level scan for the payload's {@code "t":} field, not by parsing JSON.
 */
final class LoadClient {
    private static final byte[] STAMP = FrameText.ascii("\"t\":");

    private final Dialect dialect;
    private final DeliverySink sink;
    private final CompletableFuture<LoadClient> open = new CompletableFuture<>();
    private final CompletableFuture<LoadClient> subscribed = new CompletableFuture<>();
    private int pendingAcks; // event loop only
    private volatile int recovered;
    private Channel channel;

    /** Receives every delivery with its one-way latency. */
    interface DeliverySink {
        void delivered(long latencyNanos);

        /**
         * Offered every frame's text first: true takes it (it is then neither timed by its {@code "t":} stamp nor
         * handled by the client). Lets a sink count frames by type whose payload may quote someone else's stamp.
         */
        default boolean claims(FrameText frame) {
            return false;
        }
    }

    private LoadClient(Dialect dialect, DeliverySink sink) {
        this.dialect = dialect;
        this.sink = sink;
    }

    static CompletableFuture<LoadClient> connect(EventLoopGroup group, Class<? extends SocketChannel> type,
                                                 String host, int port, Dialect dialect, int index, DeliverySink sink) {
        LoadClient client = new LoadClient(dialect, sink);
        URI uri = URI.create("ws://" + host + ":" + port + dialect.path(index));
        // No UTF-8 validation of what the server sends: in the presence churn, where every joiner reads a member
        // list of a few hundred members, it was a third of the generator's CPU, taken from the server under test.
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri).maxFramePayloadLength(1 << 20).handshakeTimeoutMillis(30_000)
                .withUTF8Validator(false).build();
        new Bootstrap().group(group).channel(type)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config), client.new Handler());
                    }
                })
                .connect(host, port).addListener(f -> {
                    if (!f.isSuccess()) {
                        client.open.completeExceptionally(f.cause());
                    }
                });
        return client.open;
    }

    CompletableFuture<LoadClient> subscribe(String channelName) {
        return subscribe(List.of(channelName));
    }

    /** Subscribes to every channel; completes when all are acknowledged. */
    CompletableFuture<LoadClient> subscribe(List<String> channelNames) {
        List<String> frames = new ArrayList<>(channelNames.size());
        for (int i = 0; i < channelNames.size(); i++) {
            frames.add(dialect.subscribe(channelNames.get(i), i + 1));
        }
        return sendSubscribes(frames);
    }

    /** Sends ready-made subscribe frames; completes when each is acknowledged. */
    CompletableFuture<LoadClient> sendSubscribes(List<String> frames) {
        channel.eventLoop().execute(() -> {
            pendingAcks = frames.size();
            frames.forEach(frame -> channel.write(new TextWebSocketFrame(frame)));
            channel.flush();
        });
        return subscribed;
    }

    /** How many subscribe acknowledgements said {@code "recovered":true}. */
    int recoveredCount() {
        return recovered;
    }

    void send(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * Sends a WebSocket close frame and lets the server close the connection, so every frame sent before is
     * handled even when the server is behind. (Closing the socket first can make the kernel reset it, and a
     * reset discards whatever the server has not read yet.) Forces the close after ten seconds.
     */
    void closeGracefully() {
        if (channel == null) {
            return;
        }
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, 10, TimeUnit.SECONDS);
    }

    /** Reads the number after {@code "t":} in a frame, or -1 when the frame carries none. */
    static long timestampOf(String text) {
        return timestampOf(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Reads the number after {@code "t":} in a frame's bytes, or -1: deliveries are timed without decoding the
     * frame to a string, since the generator shares the cores with the server under test.
     */
    static long timestampOf(ByteBuf content) {
        return timestampOf(FrameText.of(content));
    }

    private static long timestampOf(FrameText text) {
        int at = text.indexOf(STAMP, 0);
        return at < 0 ? -1 : text.numberAt(at + STAMP.length);
    }

    private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                channel = ctx.channel();
                String first = dialect.onOpen();
                if (first != null) {
                    ctx.writeAndFlush(new TextWebSocketFrame(first));
                }
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (!(frame instanceof TextWebSocketFrame text)) {
                return;
            }
            FrameText bytes = FrameText.of(text.content());
            if (sink.claims(bytes)) {
                return;
            }
            long sent = timestampOf(bytes);
            if (sent > 0) {
                sink.delivered(System.nanoTime() - sent);
                return;
            }
            String body = text.text();
            if (!open.isDone() && dialect.isReady(body)) {
                open.complete(LoadClient.this);
                return;
            }
            if (dialect.isSubscribed(body)) {
                if (body.contains("\"recovered\":true")) {
                    recovered++;
                }
                if (--pendingAcks == 0) {
                    subscribed.complete(LoadClient.this);
                }
                return;
            }
            String reply = dialect.reply(body);
            if (reply != null) {
                ctx.writeAndFlush(new TextWebSocketFrame(reply));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            open.completeExceptionally(new IllegalStateException("connection closed"));
            subscribed.completeExceptionally(new IllegalStateException("connection closed"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            open.completeExceptionally(cause);
            ctx.close();
        }
    }
}
