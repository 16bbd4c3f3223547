package dev.tandem;

import dev.tandem.api.ServerApi;
import dev.tandem.auth.AuthCommands;
import dev.tandem.auth.Authenticator;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.config.TandemConfig;
import dev.tandem.demo.DemoApp;
import dev.tandem.hub.Hub;
import dev.tandem.ops.HealthEndpoints;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.CloseCode;
import dev.tandem.session.ChannelCommands;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.HttpRouter;
import dev.tandem.transport.OriginPolicy;
import dev.tandem.transport.stomp.StompEndpoint;
import dev.tandem.transport.ws.NativeWebSocketEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the server together and owns its lifecycle: one port for every endpoint, epoll when the platform has
 * it, and a graceful drain (stop accepting, mark not ready, {@code disconnect} everyone with 1012 so clients
 * reconnect elsewhere, then stop) bounded by {@code shutdown.timeout}.
 */
public final class TandemServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TandemServer.class);

    private final TandemConfig config;
    private final TandemMetrics metrics = new TandemMetrics();
    private final Hub hub;
    private final SessionRegistry sessions;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean ready;
    private Channel serverChannel;

    private TandemServer(TandemConfig config) {
        this.config = config;
        this.hub = new Hub(config, metrics, PooledByteBufAllocator.DEFAULT);
        this.sessions = new SessionRegistry(config, hub, metrics);
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        this.workerGroup = new MultiThreadIoEventLoopGroup(0, io);
    }

    /** Starts a server and returns once it is listening. */
    public static TandemServer start(TandemConfig config) {
        TandemServer server = new TandemServer(config);
        try {
            server.bind();
        } catch (RuntimeException e) {
            server.bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            server.workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        return server;
    }

    private void bind() {
        Authenticator authenticator = new Authenticator(config, metrics);
        ChannelAccess access = new ChannelAccess(config, authenticator, metrics);
        CommandRouter commands = new CommandRouter();
        new AuthCommands(authenticator, sessions).registerOn(commands);
        ChannelCommands channelCommands = new ChannelCommands(hub, config.limits(), access);
        channelCommands.registerOn(commands);
        HttpRouter router = new HttpRouter(new OriginPolicy(config));
        router.webSocket(NativeWebSocketEndpoint.PATH,
                new NativeWebSocketEndpoint(config, authenticator, sessions, commands, metrics));
        router.webSocket(StompEndpoint.PATH, new StompEndpoint(config, authenticator, access, sessions, hub, metrics));
        new ServerApi(config, hub, sessions, authenticator, access).registerOn(router);
        HealthEndpoints.registerOn(router, () -> ready, metrics);
        if (config.dev()) {
            DemoApp.registerOn(router);
        }

        Class<? extends ServerChannel> channelType = Epoll.isAvailable()
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        int maxBody = config.limits().maxHttpBodyBytes();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("http", new HttpServerCodec(4096, 8192, 8192))
                                .addLast("http-aggregator", new HttpObjectAggregator(maxBody))
                                .addLast("router", router);
                    }
                });
        serverChannel = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
        workerGroup.next().scheduleAtFixedRate(hub::sweep, 10, 10, TimeUnit.SECONDS);
        workerGroup.next().scheduleAtFixedRate(() -> {
            authenticator.sweep();
            channelCommands.sweep();
        }, 10, 10, TimeUnit.SECONDS);
        ready = true;
        LOG.info("Tandem {} listening on http://{}:{} (ws: {}, transport: {}, mode: {})", TandemVersion.VERSION,
                config.host(), port(), NativeWebSocketEndpoint.PATH, Epoll.isAvailable() ? "epoll" : "nio",
                config.dev() ? "dev" : "serve");
    }

    /** The bound port (useful when the config asked for 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public Hub hub() {
        return hub;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public TandemMetrics metrics() {
        return metrics;
    }

    /**
     * Drains and stops: no new connections, every client told {@code disconnect} 1012 with
     * {@code reconnect: true}, event loops stopped, all within {@code shutdown.timeout}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + config.shutdown().timeout().toNanos();
        ready = false;
        LOG.info("draining: {} connections", sessions.size());
        serverChannel.close().syncUninterruptibly();
        sessions.disconnectAll(CloseCode.SERVER_RESTARTING, "server shutting down");
        long closeBudget = Math.max(0, remaining(deadline) - Duration.ofSeconds(2).toNanos());
        long waitUntil = System.nanoTime() + closeBudget;
        while (sessions.size() > 0 && System.nanoTime() < waitUntil) {
            sleepQuietly(20);
        }
        long quiet = Math.min(remaining(deadline), Duration.ofSeconds(2).toNanos());
        bossGroup.shutdownGracefully(0, quiet, TimeUnit.NANOSECONDS);
        workerGroup.shutdownGracefully(0, quiet, TimeUnit.NANOSECONDS).awaitUninterruptibly(quiet, TimeUnit.NANOSECONDS);
        LOG.info("stopped");
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
