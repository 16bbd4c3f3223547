package dev.tandem.transport.stomp;

import dev.tandem.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A STOMP test client that writes raw bytes (so tests control exactly how frames are split, packed and
 * escaped) over the JDK WebSocket client, and reads the server's frames with the server's own parser. Bare
 * newline messages from the server are counted as heart-beats, not frames.
 */
final class RawStompClient implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final BlockingQueue<StompFrame> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicInteger heartBeats = new AtomicInteger();
    private final AtomicInteger framesReceived = new AtomicInteger();
    private final List<Integer> heartBeatPositions = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean paused;
    private final StompParser parser = new StompParser(1 << 20);
    private WebSocket socket;

    static URI uri(TestServer server, String query) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/stomp" + (query.isEmpty() ? "" : "?" + query));
    }

    /** Opens the WebSocket offering {@code subprotocols} (none when empty); sends nothing. */
    static RawStompClient open(URI uri, String... subprotocols) {
        return open(false, uri, subprotocols);
    }

    /**
     * Opens without reading anything until {@link #resume}: the server's frames pile up in its outbound queue, a
     * real backlog. Writing works meanwhile.
     */
    static RawStompClient openPaused(URI uri, String... subprotocols) {
        return open(true, uri, subprotocols);
    }

    private static RawStompClient open(boolean paused, URI uri, String... subprotocols) {
        RawStompClient client = new RawStompClient();
        client.paused = paused;
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        client.socket = builder.buildAsync(uri, client.new Listener()).join();
        return client;
    }

    /** Opens as {@code user} (dev mode) and completes CONNECT; returns the CONNECTED frame. */
    static RawStompClient connected(TestServer server, String user) {
        RawStompClient client = open(uri(server, "user=" + user), "v12.stomp");
        client.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n\n\0");
        StompFrame connected = client.next();
        if (!connected.command().equals("CONNECTED")) {
            throw new AssertionError("expected CONNECTED, got " + connected);
        }
        return client;
    }

    String subprotocol() {
        return socket.getSubprotocol();
    }

    void send(String raw) {
        socket.sendText(raw, true).join();
    }

    /** Sends a frame built from a command, header pairs (name, value, … written as given) and a body. */
    void frame(String command, String body, String... headers) {
        StringBuilder out = new StringBuilder(command).append('\n');
        for (int i = 0; i < headers.length; i += 2) {
            out.append(headers[i]).append(':').append(headers[i + 1]).append('\n');
        }
        send(out.append('\n').append(body).append('\0').toString());
    }

    StompFrame next() {
        StompFrame frame = poll(TIMEOUT);
        if (frame == null) {
            throw new AssertionError("timed out waiting for a STOMP frame");
        }
        return frame;
    }

    /** The next frame with {@code command}, failing on any other frame in between. */
    StompFrame expect(String command) {
        StompFrame frame = next();
        if (!frame.command().equals(command)) {
            throw new AssertionError("expected " + command + ", got " + frame.command() + " " + frame.headers()
                    + " " + frame.bodyText());
        }
        return frame;
    }

    StompFrame receipt(String id) {
        StompFrame frame = expect("RECEIPT");
        if (!id.equals(frame.header("receipt-id"))) {
            throw new AssertionError("expected receipt " + id + ", got " + frame.headers());
        }
        return frame;
    }

    /** Frames up to and including the first that matches {@code last}, in arrival order. */
    List<StompFrame> until(java.util.function.Predicate<StompFrame> last) {
        List<StompFrame> seen = new ArrayList<>();
        while (true) {
            StompFrame frame = next();
            seen.add(frame);
            if (last.test(frame)) {
                return seen;
            }
        }
    }

    StompFrame poll(Duration timeout) {
        try {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    List<StompFrame> drain() {
        List<StompFrame> result = new ArrayList<>();
        frames.drainTo(result);
        return result;
    }

    int heartBeats() {
        return heartBeats.get();
    }

    /** For each heart-beat received, how many frames had arrived before it. */
    List<Integer> heartBeatPositions() {
        return List.copyOf(heartBeatPositions);
    }

    /** Starts reading after {@link #openPaused}. */
    void resume() {
        paused = false;
        socket.request(1);
    }

    CompletableFuture<Integer> closed() {
        return closed;
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
            if (!paused) {
                webSocket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (text.equals("\n") || text.equals("\r\n")) {
                    heartBeats.incrementAndGet();
                    heartBeatPositions.add(framesReceived.get());
                } else {
                    parser.feed(text.getBytes(StandardCharsets.UTF_8), this::received);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            parser.feed(bytes, this::received);
            webSocket.request(1);
            return null;
        }

        private void received(StompFrame frame) {
            framesReceived.incrementAndGet();
            frames.add(frame);
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
