package dev.tandem.api;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.store.ArchiveSink;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/channels/{channel}/archive?day=YYYY-MM-DD}: a channel's archived events of one UTC day as
 * NDJSON. Files are read on one archive thread with a short bounded queue, never on the event loop.
 */
public final class ArchiveApi implements AutoCloseable {
    private final ArchiveSink archive;
    private final ThreadPoolExecutor reader = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "tandem-archive-reader");
                t.setDaemon(true);
                return t;
            });

    public ArchiveApi(ArchiveSink archive) {
        this.archive = archive;
    }

    public void registerOn(ServerApi api) {
        api.channelResource("/archive", this::day);
    }

    private CompletableFuture<HttpReply> day(String channel, HttpExchange exchange) {
        LocalDate day = day(exchange.param("day"));
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return archive.read(channel, day)
                            .map(ndjson -> new HttpReply(HttpResponseStatus.OK, "application/x-ndjson; charset=utf-8", ndjson))
                            .orElseGet(() -> HttpReply.error(ErrorCode.NOT_FOUND, "no archive of " + channel + " for " + day));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, reader);
        } catch (RejectedExecutionException e) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "too many archive reads; retry");
        }
    }

    private static LocalDate day(String value) {
        if (value == null) {
            throw ProtocolException.badRequest("'day' is required, as YYYY-MM-DD");
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ProtocolException.badRequest("'day' must be a date as YYYY-MM-DD");
        }
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
