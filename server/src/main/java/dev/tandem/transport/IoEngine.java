package dev.tandem.transport;

import dev.tandem.config.TransportsConfig;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket I/O engine under every connection, picked once at start from {@code transports.io}. Linux
 * {@code io_uring} queues a loop turn's sends and receives and submits them with one system call, where
 * {@code epoll} makes one per socket written; where a system call is dear (a VM) that takes a quarter to a third
 * off a fanout's server CPU, for ~190 B more heap per idle connection. The JDK's NIO is the portable last resort.
 * {@code auto} (the default) takes the best engine the platform has. An engine named in the configuration that the
 * platform refuses (an old kernel, a container whose seccomp profile blocks io_uring) falls back to the next one
 * with a warning that says why, so one configuration serves a fleet of mixed hosts; {@link #name} tells which one
 * runs.
 *
 * @param name          the engine that runs: {@code io_uring}, {@code epoll} or {@code nio}
 * @param handlers      the event loops' I/O handler
 * @param serverChannel the listening socket's channel class
 * @param clientChannel an outgoing connection's channel class (the load generator's)
 */
public record IoEngine(String name, IoHandlerFactory handlers, Class<? extends ServerChannel> serverChannel,
                       Class<? extends SocketChannel> clientChannel) {
    private static final Logger LOG = LoggerFactory.getLogger(IoEngine.class);

    /** The wanted engine, or the best one below it that this platform has. */
    public static IoEngine select(TransportsConfig.Io wanted) {
        if (wanted == TransportsConfig.Io.auto) {
            return IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
        }
        if (wanted == TransportsConfig.Io.io_uring) {
            if (IoUring.isAvailable()) {
                return ioUring();
            }
            LOG.warn("transports.io is io_uring, but this platform cannot use it ({}); falling back",
                    IoUring.unavailabilityCause().toString());
        }
        if (wanted != TransportsConfig.Io.nio) {
            if (Epoll.isAvailable()) {
                return epoll();
            }
            LOG.warn("transports.io is {}, but epoll is not available ({}); using NIO", wanted,
                    Epoll.unavailabilityCause().toString());
        }
        return nio();
    }

    private static IoEngine ioUring() {
        return new IoEngine("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class);
    }

    private static IoEngine epoll() {
        return new IoEngine("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class);
    }

    private static IoEngine nio() {
        return new IoEngine("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }
}
