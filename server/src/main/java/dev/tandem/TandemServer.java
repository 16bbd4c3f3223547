package dev.tandem;

import dev.tandem.admin.AdminEndpoints;
import dev.tandem.admin.RecentDisconnects;
import dev.tandem.api.ArchiveApi;
import dev.tandem.api.RevocationApi;
import dev.tandem.auth.TokenRevocations;
import dev.tandem.api.ServerApi;
import dev.tandem.auth.AuthCommands;
import dev.tandem.auth.Authenticator;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.cluster.NodeInfo;
import dev.tandem.cluster.NodeRegistry;
import dev.tandem.cluster.RedisBroker;
import dev.tandem.cluster.RedisConnection;
import dev.tandem.cluster.RedisDocumentRelay;
import dev.tandem.cluster.RedisMetrics;
import dev.tandem.cluster.RedisSessionForwarding;
import dev.tandem.config.ClusterConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.Broker;
import dev.tandem.demo.DemoApp;
import dev.tandem.api.DocumentApi;
import dev.tandem.docs.DocumentAccess;
import dev.tandem.docs.DocumentMetrics;
import dev.tandem.docs.DocumentRelay;
import dev.tandem.docs.DocumentRooms;
import dev.tandem.docs.DocumentStore;
import dev.tandem.docs.DocumentStoreListener;
import dev.tandem.docs.EditorPresence;
import dev.tandem.docs.FileDocumentStore;
import dev.tandem.docs.JdbcDocumentStore;
import dev.tandem.hub.Hub;
import dev.tandem.ops.HealthCheck;
import dev.tandem.hub.Retention;
import dev.tandem.entities.CollectionCatalog;
import dev.tandem.entities.EntityAccess;
import dev.tandem.entities.EntityApi;
import dev.tandem.entities.EntityCommands;
import dev.tandem.entities.EntityService;
import dev.tandem.messages.ChatService;
import dev.tandem.ops.HealthEndpoints;
import dev.tandem.ops.Readiness;
import dev.tandem.resilience.CircuitBreaker;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.ops.Tracing;
import dev.tandem.presence.PresenceAccess;
import dev.tandem.presence.PresenceApi;
import dev.tandem.presence.PresenceCommands;
import dev.tandem.presence.PresenceService;
import dev.tandem.presence.PresenceStore;
import dev.tandem.presence.local.LocalPresenceStore;
import dev.tandem.presence.redis.RedisPresenceStore;
import dev.tandem.protocol.CloseCode;
import dev.tandem.session.ChannelCommands;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.SessionRegistry;
import dev.tandem.store.GuardedStore;
import dev.tandem.store.GzipNdjsonArchive;
import dev.tandem.store.JdbcStore;
import dev.tandem.store.Store;
import dev.tandem.store.StoreMetrics;
import dev.tandem.transport.HttpRouter;
import dev.tandem.transport.IoEngine;
import dev.tandem.transport.OriginPolicy;
import dev.tandem.transport.stomp.StompApplication;
import dev.tandem.transport.stomp.StompEndpoint;
import dev.tandem.transport.oneway.ChunkedStreamEndpoint;
import dev.tandem.transport.oneway.OneWaySessions;
import dev.tandem.transport.oneway.SessionCommandEndpoint;
import dev.tandem.transport.poll.PollEndpoint;
import dev.tandem.transport.sse.SseFormat;
import dev.tandem.transport.stream.NdjsonFormat;
import dev.tandem.transport.ws.NativeWebSocketEndpoint;
import dev.tandem.transport.yjs.YjsWebSocketEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the server together and owns its lifecycle: one port for every endpoint on the configured I/O engine
 * ({@link IoEngine}), and a graceful drain (stop accepting, mark not ready, {@code disconnect} everyone with 1012
 * so clients reconnect elsewhere, then stop) bounded by {@code shutdown.timeout}.
 */
public final class TandemServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TandemServer.class);
    private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator();

    private final TandemConfig config;
    private final TandemMetrics metrics = new TandemMetrics();
    private final Tracing tracing;
    private final Store store;
    private final JdbcStore jdbc;
    private final RedisConnection redis;
    private final NodeRegistry nodes;
    private final PresenceStore presenceStore;
    private final Hub hub;
    private final ChatService chat;
    private final EntityService entities;
    private final Retention retention;
    private final ArchiveApi archiveApi;
    private final TokenRevocations revocations;
    private final SessionRegistry sessions;
    private final PresenceService presence;
    private final String nodeId;
    private final long startedAt = System.currentTimeMillis();
    private final IoEngine ioEngine;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final DocumentRooms documents;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Readiness readiness = new Readiness();
    private volatile boolean ready;
    private Channel serverChannel;

    private TandemServer(TandemConfig config, Clock clock) {
        this.config = config;
        CollectionCatalog collections = new CollectionCatalog(config); // compiles schemas: fail before opening anything
        this.tracing = Tracing.start(config.tracing());
        CircuitBreaker storeBreaker = new CircuitBreaker("store", config.store().breaker(), metrics.circuitListener());
        metrics.circuitState("store", () -> storeBreaker.state().code());
        this.jdbc = JdbcStore.open(config.store(), config.dataDir(), new StoreMetrics(metrics.registry()));
        this.store = new GuardedStore(jdbc, storeBreaker);
        this.revocations = TokenRevocations.in(store, clock);
        awaitFirstLoad(revocations);
        RedisMetrics redisMetrics = config.cluster().enabled() ? new RedisMetrics(metrics.registry()) : null;
        this.redis = config.cluster().enabled() ? openRedis(config.cluster(), redisMetrics) : null;
        RedisBroker broker = redis == null ? null : new RedisBroker(redis);
        this.hub = new Hub(config, metrics, PooledByteBufAllocator.DEFAULT, store, tracing,
                broker == null ? Broker.local() : broker);
        if (broker != null) {
            broker.start(hub);
            readiness.register(redis.health());
        }
        this.chat = new ChatService(hub, store, config.chat(), clock);
        this.entities = new EntityService(hub, store, collections, config.entities(), clock);
        GzipNdjsonArchive archive = new GzipNdjsonArchive(config.dataDir().resolve("archive"));
        this.retention = new Retention(hub, store, archive, config, clock);
        this.archiveApi = new ArchiveApi(archive);
        this.sessions = new SessionRegistry(config, hub, metrics);
        this.nodeId = config.cluster().nodeId() == null || config.cluster().nodeId().isBlank()
                ? "node-" + UUID.randomUUID().toString().substring(0, 8) : config.cluster().nodeId();
        if (redis != null) {
            String prefix = config.cluster().redisPrefix();
            RedisPresenceStore shared = new RedisPresenceStore(redis, prefix, nodeId, redisMetrics);
            this.nodes = new NodeRegistry(redis, prefix, nodeId, config.cluster().nodeTtl(), this::self);
            nodes.onDead(shared::evictNode);
            // A node killed between a durable commit and its bus message: every node reads back what it may not have announced.
            nodes.onDeathNotice(dead -> hub.resync());
            shared.evictNode(nodeId); // entries left by an earlier life of this node id (a crash, then a restart)
            this.presenceStore = shared;
        } else {
            this.nodes = null;
            this.presenceStore = new LocalPresenceStore();
        }
        this.ioEngine = IoEngine.select(config.transports().io());
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, ioEngine.handlers());
        this.workerGroup = new MultiThreadIoEventLoopGroup(config.transports().effectiveIoThreads(), ioEngine.handlers());
        metrics.eventLoops(ioEngine.name(), eventLoops());
        this.presence = new PresenceService(hub, presenceStore, clock, metrics.registry(), workerGroup.next());
        readiness.register(new ServerCheck());
        readiness.register(storeBreaker);
        DocumentMetrics documentMetrics = new DocumentMetrics(metrics.registry());
        this.documents = new DocumentRooms(config.documents(), documentStore(config, jdbc, documentMetrics),
                new EditorPresence(presence), workerGroup.next(), redis == null ? DocumentRelay.NONE : new RedisDocumentRelay(redis));
        documentMetrics.watchOpen(documents::loadedRooms);
        if (nodes != null) {
            nodes.onDeathNotice(documents::forgetNode);
        }
    }

    /** Loads the revocations once before the first handshake (bounded wait); the schedule keeps them fresh. */
    private static void awaitFirstLoad(TokenRevocations revocations) {
        try {
            revocations.refresh().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("token revocations not loaded at start; retrying every {}", TokenRevocations.REFRESH_INTERVAL);
        }
    }

    /** The cluster's Redis behind its own breaker, shown as {@code tandem_circuit_state{breaker="redis"}}. */
    private RedisConnection openRedis(ClusterConfig cluster, RedisMetrics redisMetrics) {
        CircuitBreaker breaker = new CircuitBreaker("redis", cluster.redisBreaker(), metrics.circuitListener());
        metrics.circuitState("redis", () -> breaker.state().code());
        return RedisConnection.open(cluster, redisMetrics, breaker);
    }

    /** Documents live in the durable store's database unless {@code documents.store: file}. */
    private static DocumentStore documentStore(TandemConfig config, JdbcStore jdbc, DocumentStoreListener listener) {
        return switch (config.documents().store()) {
            case jdbc -> new JdbcDocumentStore(jdbc.dataSource(), listener, config.cluster().enabled());
            case file -> new FileDocumentStore(config.dataDir(), listener);
        };
    }

    /** Starts a server and returns once it is listening. */
    public static TandemServer start(TandemConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** Starts with a given clock for time-driven work (presence away/offline, message times, typing and receipt pacing, retention). */
    public static TandemServer start(TandemConfig config, Clock clock) {
        TandemServer server = new TandemServer(config, clock);
        try {
            server.bind();
        } catch (RuntimeException e) {
            server.bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            server.workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            server.metrics.close();
            throw e;
        }
        return server;
    }

    private void bind() {
        Authenticator authenticator = new Authenticator(config, metrics, revocations);
        revocations.onRevoked(r -> sessions.disconnectWhere(r::revoked, CloseCode.UNAUTHORIZED, "token has been revoked"));
        ChannelAccess access = new ChannelAccess(config, authenticator, metrics);
        CommandRouter commands = new CommandRouter();
        new AuthCommands(authenticator, sessions).registerOn(commands);
        ChannelCommands channelCommands = new ChannelCommands(hub, config.limits(), access);
        channelCommands.registerOn(commands);
        PresenceAccess presenceAccess = new PresenceAccess(hub, access);
        new PresenceCommands(presence, presenceAccess).registerOn(commands);
        channelCommands.onUnsubscribe(presence::leaveIfJoined);
        sessions.onClose(presence::leaveAll);
        HttpRouter router = new HttpRouter(new OriginPolicy(config)).limitInFlight(config.limits().maxHttpInFlight());
        router.webSocket(NativeWebSocketEndpoint.PATH,
                new NativeWebSocketEndpoint(config, authenticator, sessions, commands, metrics));
        StompApplication stompApp = new StompApplication(hub, access, chat.messages(), presence, presenceAccess);
        router.webSocket(StompEndpoint.PATH, new StompEndpoint(config, authenticator, access, sessions, hub, stompApp, metrics));
        OneWaySessions oneWay = new OneWaySessions(config, authenticator, sessions, commands);
        router.streaming(HttpMethod.GET, SseFormat.PATH,
                        new ChunkedStreamEndpoint(new SseFormat(config.transports().sseRetry()), oneWay, sessions))
                .streaming(HttpMethod.GET, NdjsonFormat.PATH, new ChunkedStreamEndpoint(new NdjsonFormat(), oneWay, sessions))
                .streaming(HttpMethod.GET, PollEndpoint.PATH, new PollEndpoint(oneWay, sessions))
                .routePrefixAsync(HttpMethod.POST, SessionCommandEndpoint.PREFIX, sessionCommands(oneWay));
        ServerApi serverApi = new ServerApi(config, hub, sessions, authenticator, access);
        serverApi.registerOn(router);
        new RevocationApi(revocations).registerOn(router, serverApi);
        new PresenceApi(presence, presenceAccess).registerOn(router, serverApi::guardedAsync);
        HealthEndpoints.registerOn(router, readiness, metrics);
        RecentDisconnects recentDisconnects = new RecentDisconnects(100);
        sessions.onClose(recentDisconnects::record);
        new AdminEndpoints(config, hub, sessions, metrics, recentDisconnects, authenticator, nodeId, this::clusterNodes)
                .registerOn(router);
        chat.registerOn(commands, router, serverApi, access);
        EntityAccess entityAccess = new EntityAccess(entities.catalog(), config.dev());
        hub.filter(EntityAccess.NAMESPACE, entityAccess);
        access.guard(EntityAccess.NAMESPACE, entityAccess);
        new EntityCommands(entities).registerOn(commands);
        new EntityApi(entities, authenticator, config).registerOn(router);
        archiveApi.registerOn(serverApi);
        if (config.dev()) {
            DemoApp.registerOn(router);
        }
        router.webSocketPrefix(YjsWebSocketEndpoint.PREFIX,
                new YjsWebSocketEndpoint(config, authenticator, DocumentAccess.of(access), documents));
        new DocumentApi(config, documents).registerOn(router);

        int maxBody = config.limits().maxHttpBodyBytes();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(ioEngine.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // One allocator for all: its settings are shared, each channel's read sizing lives in its own handle
                // (Netty's default is an allocator object per channel, 32 B of every idle connection).
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
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
        // Keeps the store breaker (and so /health/ready) true when no client is using the store, and closes it
        // again once the database is back: while open, this is the half-open probe after each cool-down.
        workerGroup.next().scheduleAtFixedRate(store::ping, 1, 1, TimeUnit.SECONDS);
        workerGroup.next().scheduleAtFixedRate(hub::redeliver, 1, 1, TimeUnit.SECONDS);
        long revocationRefresh = TokenRevocations.REFRESH_INTERVAL.toMillis();
        workerGroup.next().scheduleAtFixedRate(revocations::refresh, revocationRefresh, revocationRefresh, TimeUnit.MILLISECONDS);
        long presenceSweep = PresenceService.SWEEP_INTERVAL.toMillis();
        workerGroup.next().scheduleAtFixedRate(presence::sweep, presenceSweep, presenceSweep, TimeUnit.MILLISECONDS);
        workerGroup.next().scheduleAtFixedRate(chat::sweep, 10, 10, TimeUnit.SECONDS);
        if (nodes != null) {
            nodes.start(workerGroup.next());
            workerGroup.next().scheduleAtFixedRate(hub::retryHoles, 5, 5, TimeUnit.SECONDS);
        }
        long retentionEvery = config.store().retentionInterval().toMillis();
        workerGroup.next().scheduleAtFixedRate(retention::runOnce, retentionEvery, retentionEvery, TimeUnit.MILLISECONDS);
        // H2 compaction in small steps (WRITE_DELAY=0 stops H2's own); the step runs on a store reader thread.
        long compactEvery = config.store().h2().compactInterval().toMillis();
        if (compactEvery > 0 && !config.store().postgres().enabled()) {
            workerGroup.next().scheduleAtFixedRate(jdbc::housekeep, compactEvery, compactEvery, TimeUnit.MILLISECONDS);
        }
        workerGroup.next().scheduleAtFixedRate(() -> {
            authenticator.sweep();
            channelCommands.sweep();
        }, 10, 10, TimeUnit.SECONDS);
        ready = true;
        LOG.info("Tandem {} listening on http://{}:{} (ws: {}, transport: {} with {} event loops, mode: {})",
                TandemVersion.VERSION, config.host(), port(), NativeWebSocketEndpoint.PATH,
                ioEngine.name(), eventLoops(),
                config.dev() ? "dev" : "serve");
    }

    /** {@code POST /session/{id}}; in a cluster, commands for sessions held elsewhere are forwarded through Redis. */
    private SessionCommandEndpoint sessionCommands(OneWaySessions oneWay) {
        if (redis == null) {
            return new SessionCommandEndpoint(oneWay, metrics);
        }
        RedisSessionForwarding forwarding = new RedisSessionForwarding(redis, workerGroup.next());
        SessionCommandEndpoint endpoint = new SessionCommandEndpoint(oneWay, metrics, forwarding);
        forwarding.start(endpoint);
        return endpoint;
    }

    /** The bound port (useful when the config asked for 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public Hub hub() {
        return hub;
    }

    /** The socket I/O engine that runs: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String ioEngine() {
        return ioEngine.name();
    }

    /** How many event loops serve connections ({@code transports.ioThreads}, or one per processor). */
    public int eventLoops() {
        int loops = 0;
        for (var ignored : workerGroup) {
            loops++;
        }
        return loops;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public PresenceService presence() {
        return presence;
    }

    /** The retention job, for tests and operators that want a pass now. */
    public Retention retention() {
        return retention;
    }

    /** The durable store's connection pool, for SQL of one's own (tests inspecting what was stored). */
    public javax.sql.DataSource dataSource() {
        return jdbc.dataSource();
    }

    public Store store() {
        return store;
    }

    public DocumentRooms documents() {
        return documents;
    }

    /** This node's id in the cluster (generated when {@code cluster.nodeId} is empty). */
    public String nodeId() {
        return nodeId;
    }

    /** The live nodes of the cluster; a single node lists only itself. */
    public CompletionStage<List<NodeInfo>> clusterNodes() {
        return nodes != null ? nodes.live() : CompletableFuture.completedFuture(List.of(self()));
    }

    private NodeInfo self() {
        return new NodeInfo(nodeId, config.host() + ":" + port(), startedAt, sessions.size(), System.currentTimeMillis());
    }

    public TandemMetrics metrics() {
        return metrics;
    }

    /** Where components register what {@code /health/ready} checks (store, Redis, ...). */
    public Readiness readiness() {
        return readiness;
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
        documents.close();
        long quiet = Math.min(remaining(deadline), Duration.ofSeconds(2).toNanos());
        bossGroup.shutdownGracefully(0, quiet, TimeUnit.NANOSECONDS);
        workerGroup.shutdownGracefully(0, quiet, TimeUnit.NANOSECONDS).awaitUninterruptibly(quiet, TimeUnit.NANOSECONDS);
        closeCluster();
        chat.close();
        archiveApi.close();
        store.close();
        tracing.close();
        metrics.close();
        LOG.info("stopped");
    }

    /** Leaves the cluster once the drain's presence removals have reached Redis (commands complete in order). */
    private void closeCluster() {
        if (redis == null) {
            return;
        }
        nodes.close();
        try {
            redis.call(c -> c.ping()).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Redis did not confirm the last presence writes: {}", e.toString());
        }
        if (presenceStore instanceof RedisPresenceStore shared) {
            shared.close();
        }
        redis.close();
    }

    /** The server itself: up once listening, down from the start of a drain. */
    private final class ServerCheck implements HealthCheck {
        @Override
        public String name() {
            return "server";
        }

        @Override
        public Result check() {
            if (ready) {
                return Result.healthy();
            }
            return Result.down(closed.get() ? "draining" : "starting");
        }
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
