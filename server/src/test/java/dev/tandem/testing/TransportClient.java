package dev.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A native-protocol client over any transport, so one scenario can run on each: {@code ws}, {@code sse},
 * {@code stream}, {@code long-poll}, {@code short-poll}. Frames arrive in one queue; commands go over the socket
 * (ws) or {@code POST /session/{id}} (the others). {@link #reconnect} drops the connection like a lost network
 * and comes back the way a real client of that transport would: WebSocket re-subscribes with {@code since},
 * the HTTP transports present the last cursor they received. Frames received but not yet taken carry over.
 */
public abstract class TransportClient implements AutoCloseable {
    public static final List<String> TRANSPORTS = List.of("ws", "sse", "stream", "long-poll", "short-poll");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    protected final TestServer server;
    protected final String user;
    protected final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<JsonNode> skipped = new ArrayList<>();
    private final AtomicInteger requestIds = new AtomicInteger();
    private String sessionId;

    protected TransportClient(TestServer server, String user, List<JsonNode> carried) {
        this.server = server;
        this.user = user;
        frames.addAll(carried);
    }

    /** Connects {@code user} over {@code transport} (one of {@link #TRANSPORTS}). */
    public static TransportClient open(String transport, TestServer server, String user) {
        return switch (transport) {
            case "ws" -> new WsTransportClient(server, user, null, List.of());
            case "sse" -> new StreamTransportClient(server, user, true, null, List.of());
            case "stream" -> new StreamTransportClient(server, user, false, null, List.of());
            case "long-poll" -> new PollTransportClient(server, user, false, null, List.of());
            case "short-poll" -> new PollTransportClient(server, user, true, null, List.of());
            default -> throw new IllegalArgumentException("no transport " + transport);
        };
    }

    public abstract String transport();

    /** Loses the connection without a goodbye; for polling, also waits until the server has expired the session. */
    public abstract void drop();

    /** A new client of the same transport resuming from this one's state, carrying {@code leftover} frames. */
    protected abstract TransportClient resume(List<JsonNode> leftover);

    @Override
    public abstract void close();

    /** Sends one command text on this transport. */
    protected abstract void sendText(String json);

    /** Drops, then reconnects with recovery. */
    public TransportClient reconnect() {
        drop();
        List<JsonNode> leftover;
        synchronized (skipped) {
            leftover = new ArrayList<>(skipped);
            skipped.clear();
        }
        frames.drainTo(leftover);
        return resume(leftover);
    }

    /** The {@code connected} frame (skipping carried-over frames before it) and the session id it names. */
    public JsonNode connected() {
        JsonNode connected = nextOfType("connected");
        sessionId = connected.path("payload").path("connectionId").asText();
        return connected;
    }

    public String sessionId() {
        if (sessionId == null) {
            throw new IllegalStateException("call connected() first");
        }
        return sessionId;
    }

    /** Sends a command with a fresh requestId and returns that id. */
    public String send(ObjectNode command) {
        String id = transport() + "-" + requestIds.incrementAndGet();
        command.put("requestId", id);
        sendText(command.toString());
        return id;
    }

    /** Sends a command and waits for the frame (reply or error) carrying its requestId. */
    public JsonNode request(ObjectNode command) {
        String id = send(command);
        return next(f -> id.equals(f.path("requestId").asText(null)), "reply to " + command);
    }

    /** POSTs a command text to this client's session (the one-way transports' command path). */
    protected void post(String json) {
        HttpResponse<String> response = server.post("/session/" + sessionId() + "?user=" + user, json);
        if (response.statusCode() != 202) {
            throw new AssertionError("POST /session answered " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * The next frame matching {@code filter}; frames it passes over are kept, in order, for later calls (a reply
     * and an event may arrive in either order), so nothing received is ever lost by the test client.
     */
    public JsonNode next(Predicate<JsonNode> filter, String what) {
        synchronized (skipped) {
            for (Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
                JsonNode frame = it.next();
                if (filter.test(frame)) {
                    it.remove();
                    return frame;
                }
            }
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode frame = take(deadline - System.nanoTime());
            if (frame == null) {
                throw new AssertionError(transport() + ": timed out waiting for " + what);
            }
            if (filter.test(frame)) {
                return frame;
            }
            synchronized (skipped) {
                skipped.add(frame);
            }
        }
    }

    public JsonNode nextOfType(String type) {
        return next(f -> type.equals(f.path("type").asText()), type);
    }

    /** The next frame (passed-over ones first), or null after {@code timeout}. */
    public JsonNode poll(Duration timeout) {
        synchronized (skipped) {
            if (!skipped.isEmpty()) {
                return skipped.remove(0);
            }
        }
        return take(timeout.toNanos());
    }

    private JsonNode take(long nanos) {
        try {
            return frames.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
