package dev.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link TransportClient} over {@code /sse} (an EventSource-like reader: {@code id:}, {@code data:},
 * {@code retry:}, comments) or {@code /stream} (NDJSON lines with a {@code cursor} member). It keeps the cursor
 * of the last frame it received and presents it as {@code Last-Event-ID} when it comes back.
 */
public final class StreamTransportClient extends TransportClient {
    private final boolean sse;
    private final RawHttp http;
    private final Thread reader;
    private final AtomicInteger keepAlives = new AtomicInteger();
    private volatile String cursor;
    private volatile long retry = -1;

    StreamTransportClient(TestServer server, String user, boolean sse, String cursor, List<JsonNode> carried) {
        super(server, user, carried);
        this.sse = sse;
        this.cursor = cursor;
        String path = (sse ? "/sse" : "/stream") + "?user=" + user;
        http = cursor == null ? RawHttp.get(server.port(), path) : RawHttp.get(server.port(), path, "Last-Event-ID: " + cursor);
        if (http.status() != 200) {
            throw new AssertionError(path + " answered " + http.status() + ": " + http.readBody());
        }
        reader = new Thread(sse ? this::readEvents : this::readLines, "stream-client-" + user);
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code /sse} (or {@code /stream} when {@code sse} is false), resuming from {@code cursor} when non-null. */
    public static StreamTransportClient open(TestServer server, String user, boolean sse, String cursor) {
        return new StreamTransportClient(server, user, sse, cursor, List.of());
    }

    public RawHttp http() {
        return http;
    }

    @Override
    public String transport() {
        return sse ? "sse" : "stream";
    }

    /** The cursor of the last frame received (the SSE last event id). */
    public String cursor() {
        return cursor;
    }

    /** The {@code retry:} hint, or -1. */
    public long retry() {
        return retry;
    }

    /** Keep-alives received (SSE comments, NDJSON blank lines). */
    public int keepAlives() {
        return keepAlives.get();
    }

    private void readEvents() {
        try {
            String id = null;
            StringBuilder data = new StringBuilder();
            for (String line = http.readLine(); line != null; line = http.readLine()) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        deliver(WsClient.JSON.readTree(data.toString()), id);
                    }
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    keepAlives.incrementAndGet();
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                } else if (line.startsWith("retry: ")) {
                    retry = Long.parseLong(line.substring(7));
                } else {
                    frames.add(WsClient.JSON.createObjectNode().put("type", "unparseable").put("text", line));
                }
            }
        } catch (IOException e) {
            // dropped
        }
    }

    private void readLines() {
        try {
            for (String line = http.readLine(); line != null; line = http.readLine()) {
                if (line.isEmpty()) {
                    keepAlives.incrementAndGet();
                    continue;
                }
                JsonNode frame = WsClient.JSON.readTree(line);
                deliver(frame, frame.path("cursor").asText(null));
            }
        } catch (IOException e) {
            // dropped
        }
    }

    private synchronized void deliver(JsonNode frame, String id) {
        if (id == null) {
            frames.add(WsClient.JSON.createObjectNode().put("type", "missing-cursor").set("frame", frame));
            return;
        }
        cursor = id;
        frames.add(frame);
    }

    @Override
    protected void sendText(String json) {
        post(json);
    }

    @Override
    public void drop() {
        http.close();
        WsTransportClient.join(reader);
    }

    @Override
    protected TransportClient resume(List<JsonNode> leftover) {
        StreamTransportClient next = new StreamTransportClient(server, user, sse, cursor, leftover);
        next.connected();
        return next;
    }

    @Override
    public void close() {
        http.close();
    }
}
