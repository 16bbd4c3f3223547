package dev.tandem.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw y-websocket connection on the JDK WebSocket client, for tests that need to see or send exact bytes:
 * collects binary messages and the close code.
 */
public final class YjsWsClient implements WebSocket.Listener {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LinkedBlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
    private final AtomicInteger closeCode = new AtomicInteger();
    private ByteBuffer partial = ByteBuffer.allocate(0);
    private WebSocket ws;

    public static YjsWsClient connect(TestServer server, String room) {
        return connect(server.port(), room);
    }

    /** Connects to {@code /yjs/room} of the server on {@code port} (a child process, for instance). */
    public static YjsWsClient connect(int port, String room) {
        YjsWsClient client = new YjsWsClient();
        try {
            client.ws = HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/yjs/" + room), client)
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to /yjs/" + room, e);
        }
        return client;
    }

    /** The next binary message, within 10 s. */
    public byte[] next() throws InterruptedException {
        byte[] m = messages.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a message within 10 s").isNotNull();
        return m;
    }

    public void send(byte[] message) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(message), true).get(10, TimeUnit.SECONDS);
    }

    /** The close code the server sent, 0 while open. */
    public int closeCode() {
        return closeCode.get();
    }

    public void abort() {
        ws.abort();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
        ByteBuffer joined = ByteBuffer.allocate(partial.remaining() + data.remaining()).put(partial).put(data);
        joined.flip();
        partial = joined;
        if (last) {
            byte[] m = new byte[partial.remaining()];
            partial.get(m);
            messages.add(m);
            partial = ByteBuffer.allocate(0);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        closeCode.set(statusCode);
        return CompletableFuture.completedFuture(null);
    }
}
