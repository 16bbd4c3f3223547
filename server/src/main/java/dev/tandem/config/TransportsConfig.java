package dev.tandem.config;

import java.time.Duration;

/**
 * Settings of the transports: how every connection's frames are written, and the HTTP fallbacks ({@code /sse},
 * {@code /stream}, {@code /poll} and {@code POST /session/{id}}).
 *
 * @param sseRetry          reconnect delay announced to EventSource clients with {@code retry:}
 * @param keepAliveInterval how often an idle SSE or streaming response gets a keep-alive (comment or blank line)
 * @param pollMaxWait       longest a poll waits for frames; also the default when the poll gives no {@code wait}
 * @param pollSessionTimeout how long a polling session lives with no poll in progress before it expires
 * @param maxFramesPerPost  most frames one {@code POST /session/{id}} may carry
 * @param flushDelay        write coalescing: on a connection written less than 1.5 × this long ago a frame waits
 *                          up to this long, so the next write carries every frame that arrived meanwhile; a quiet
 *                          connection is written at once. Zero writes at once always
 * @param ioThreads         event loop threads that serve connections; 0 means one per available processor. The
 *                          loops never block, so threads beyond the cores only add context switches and
 *                          cross-loop hand-offs (Netty's own default is two per core)
 * @param io                the socket I/O engine: {@code auto} (the default: io_uring where the platform allows
 *                          it, else epoll, else NIO), or one of {@code io_uring} (fewer system calls per fanout,
 *                          a little more memory per connection), {@code epoll} and {@code nio}; an engine named
 *                          but refused by the platform falls back to the next one with a warning, see
 *                          {@code IoEngine}
 */
public record TransportsConfig(
        Duration sseRetry,
        Duration keepAliveInterval,
        Duration pollMaxWait,
        Duration pollSessionTimeout,
        int maxFramesPerPost,
        Duration flushDelay,
        int ioThreads,
        Io io) {

    /** The socket I/O engines, best first; see {@code dev.tandem.transport.IoEngine}. */
    public enum Io {
        /** The best engine this platform has, without a warning when it is not io_uring. */
        auto,
        /** Linux io_uring: a loop turn's sends and receives go to the kernel in one system call. */
        io_uring,
        /** Linux epoll: one system call per socket written. */
        epoll,
        /** The JDK's selector, anywhere. */
        nio
    }

    /** The event loop threads to start: {@link #ioThreads}, or one per available processor when it is 0. */
    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }
}
