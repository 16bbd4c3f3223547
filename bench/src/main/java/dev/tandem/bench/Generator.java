package dev.tandem.bench;

import dev.tandem.config.TransportsConfig;
import dev.tandem.transport.IoEngine;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The client side of a run: one Netty event loop group shared by every generated connection, and a ramp that
 * opens and subscribes many connections with a bounded number in flight (so the ramp measures the server,
 * not a SYN flood).
 */
final class Generator implements AutoCloseable {
    private static final int IN_FLIGHT = 200;

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;

    Generator(int threads) {
        this(threads, TransportsConfig.Io.epoll);
    }

    /** {@code io}: the socket I/O engine of the generated connections, as the server picks its own. */
    Generator(int threads, TransportsConfig.Io io) {
        IoEngine engine = IoEngine.select(io);
        this.group = new MultiThreadIoEventLoopGroup(threads, engine.handlers());
        this.channelType = engine.clientChannel();
    }

    /** Opens {@code count} connections (indexes from {@code firstIndex}), each subscribed to its channel. */
    List<LoadClient> rampSubscribed(ServerUnderTest server, int firstIndex, int count,
                                    IntFunction<String> channelOf, LoadClient.DeliverySink sink) throws Exception {
        return rampSubscribedToMany(server, firstIndex, count, i -> List.of(channelOf.apply(i)), sink);
    }

    /** As {@link #rampSubscribed}, connection {@code i} delivering to a sink of its own, {@code sinkOf(i)}. */
    List<LoadClient> rampSubscribedEach(ServerUnderTest server, int firstIndex, int count, IntFunction<String> channelOf,
                                    IntFunction<LoadClient.DeliverySink> sinkOf) throws Exception {
        Dialect dialect = server.dialect();
        return ramp(server, firstIndex, count, i -> List.of(dialect.subscribe(channelOf.apply(i), 1)), sinkOf, IN_FLIGHT);
    }

    /** Opens {@code count} connections, connection {@code i} subscribed to every channel of {@code channelsOf(i)}. */
    List<LoadClient> rampSubscribedToMany(ServerUnderTest server, int firstIndex, int count,
                                          IntFunction<List<String>> channelsOf, LoadClient.DeliverySink sink)
            throws Exception {
        Dialect dialect = server.dialect();
        return ramp(server, firstIndex, count, i -> {
            List<String> channels = channelsOf.apply(i);
            List<String> frames = new ArrayList<>(channels.size());
            for (int c = 0; c < channels.size(); c++) {
                frames.add(dialect.subscribe(channels.get(c), c + 1));
            }
            return frames;
        }, i -> sink, IN_FLIGHT);
    }

    /**
     * Opens {@code count} connections with at most {@code inFlight} handshakes pending; connection {@code i}
     * sends the subscribe frames {@code subscribesOf(i)} and counts once all are acknowledged.
     */
    List<LoadClient> ramp(ServerUnderTest server, int firstIndex, int count, IntFunction<List<String>> subscribesOf,
                          IntFunction<LoadClient.DeliverySink> sinkOf, int inFlight) throws Exception {
        Semaphore permits = new Semaphore(inFlight);
        List<CompletableFuture<LoadClient>> pending = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            permits.acquire();
            int index = firstIndex + i;
            CompletableFuture<LoadClient> ready = open(server, index, sinkOf.apply(index))
                    .thenCompose(client -> client.sendSubscribes(subscribesOf.apply(index)));
            ready.whenComplete((c, e) -> permits.release());
            pending.add(ready);
        }
        List<LoadClient> clients = new ArrayList<>(count);
        for (CompletableFuture<LoadClient> ready : pending) {
            clients.add(ready.get(60, TimeUnit.SECONDS));
        }
        return clients;
    }

    CompletableFuture<LoadClient> open(ServerUnderTest server, int index, LoadClient.DeliverySink sink) {
        return LoadClient.connect(group, channelType, "127.0.0.1", server.port(), server.dialect(), index, sink);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
