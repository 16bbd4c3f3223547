package dev.tandem.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

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
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        this.channelType = Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Opens {@code count} connections (indexes from {@code firstIndex}), each subscribed to its channel. */
    List<LoadClient> rampSubscribed(ServerUnderTest server, int firstIndex, int count,
                                    java.util.function.IntFunction<String> channelOf, LoadClient.DeliverySink sink)
            throws Exception {
        Semaphore permits = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<LoadClient>> pending = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            permits.acquire();
            int index = firstIndex + i;
            CompletableFuture<LoadClient> ready = open(server, index, sink)
                    .thenCompose(client -> client.subscribe(channelOf.apply(index)));
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
