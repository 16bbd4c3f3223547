package dev.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A native-protocol test client on the JDK's own WebSocket client: collects every server frame, sends
 * commands with generated {@code requestId}s and waits for their replies. A client opened {@link #paused}
 * never asks for more than its first message, so the JDK stops reading the socket: a real slow consumer.
 */
public final class WsClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicInteger requestIds = new AtomicInteger();
    private final boolean paused;
    private WebSocket socket;

    private WsClient(boolean paused) {
        this.paused = paused;
    }

    public static WsClient connect(URI uri) {
        return open(uri, false);
    }

    /** Connects with extra handshake headers, as name/value pairs ({@code "Authorization", "Bearer …"}). */
    public static WsClient connect(URI uri, String... headers) {
        return open(uri, false, headers);
    }

    /** Connects but stops reading after the first message. */
    public static WsClient paused(URI uri) {
        return open(uri, true);
    }

    private static WsClient open(URI uri, boolean paused, String... headers) {
        WsClient client = new WsClient(paused);
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        client.socket = builder.buildAsync(uri, client.new Listener()).join();
        return client;
    }

    /** The {@code connected} frame, which the server sends first. */
    public JsonNode connected() {
        return next(f -> true, "connected");
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** Sends a command with a fresh requestId and returns that id. */
    public String send(ObjectNode command) {
        String id = "r" + requestIds.incrementAndGet();
        command.put("requestId", id);
        sendText(command.toString());
        return id;
    }

    /** Sends a command and waits for the reply (or error) carrying its requestId. */
    public JsonNode request(ObjectNode command) {
        String id = send(command);
        return next(f -> id.equals(f.path("requestId").asText(null)), "reply to " + command);
    }

    public JsonNode subscribe(String channel) {
        return request(command("subscribe").put("channel", channel));
    }

    public JsonNode subscribe(String channel, long seq, String epoch) {
        ObjectNode command = command("subscribe").put("channel", channel);
        command.putObject("since").put("seq", seq).put("epoch", epoch);
        return request(command);
    }

    public JsonNode publish(String channel, JsonNode payload) {
        ObjectNode command = command("publish").put("channel", channel);
        command.set("payload", payload);
        return request(command);
    }

    /** A {@code message.send} command. */
    public static ObjectNode messageSend(String channel, String clientMsgId, String content) {
        ObjectNode send = command("message.send").put("channel", channel).put("clientMsgId", clientMsgId);
        send.putObject("payload").put("content", content);
        return send;
    }

    /** A {@code message.edit} command. */
    public static ObjectNode messageEdit(String channel, String id, String content) {
        ObjectNode edit = command("message.edit").put("channel", channel);
        edit.putObject("payload").put("id", id).put("content", content);
        return edit;
    }

    /** A {@code message.delete} command. */
    public static ObjectNode messageDelete(String channel, String id) {
        ObjectNode delete = command("message.delete").put("channel", channel);
        delete.putObject("payload").put("id", id);
        return delete;
    }

    public static ObjectNode command(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    /** The next frame matching {@code filter}, skipping (and dropping) others; fails after the timeout. */
    public JsonNode next(Predicate<JsonNode> filter, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode frame = poll(deadline - System.nanoTime());
            if (frame == null) {
                throw new AssertionError("timed out waiting for " + what);
            }
            if (filter.test(frame)) {
                return frame;
            }
        }
    }

    public JsonNode nextOfType(String type) {
        return next(f -> type.equals(f.path("type").asText()), type);
    }

    /** The next frame of any type, or null after {@code timeout}. */
    public JsonNode poll(Duration timeout) {
        return poll(timeout.toNanos());
    }

    private JsonNode poll(long nanos) {
        try {
            return frames.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Frames received so far and not yet taken. */
    public List<JsonNode> drain() {
        List<JsonNode> result = new ArrayList<>();
        frames.drainTo(result);
        return result;
    }

    /** Lets a paused client read again. */
    public void resume() {
        socket.request(Long.MAX_VALUE);
    }

    /** Completes with the close code the server sent (or 1006 when the socket just went away). */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    /** Drops the TCP connection without a close handshake, like a client that lost its network. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    frames.add(JSON.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
                }
                partial.setLength(0);
            }
            if (!paused) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(1006);
        }
    }
}
