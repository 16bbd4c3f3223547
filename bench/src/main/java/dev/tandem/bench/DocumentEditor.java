package dev.tandem.bench;

import dev.tandem.yjs.Lib0Reader;
import dev.tandem.yjs.Lib0Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * One simulated editor on the y-websocket protocol (Tandem's {@code /yjs/{room}}) or its Hocuspocus flavour
 * (every message prefixed with the document name, an auth message first). It syncs, then types: each update
 * appends a string to the shared text {@code "text"} after the editor's own previous insert, a valid Yjs
 * update v1 built by hand. The string carries the sender's {@code System.nanoTime()}, so a receiver in the same
 * process reports update-to-remote latency for updates of other editors.
 */
final class DocumentEditor implements WebSocket.Listener {
    private static final byte[] MARK = "@t".getBytes(StandardCharsets.US_ASCII);
    private static final int SYNC = 0;
    private static final int AUTH = 2;
    private static final int STEP1 = 0;
    private static final int STEP2 = 1;
    private static final int UPDATE = 2;

    private final String document;
    private final boolean hocuspocus;
    private final int id;
    private final long clientId;
    private final LongConsumer remoteLatency;
    private final CompletableFuture<Void> synced = new CompletableFuture<>();
    private volatile int syncBytes;
    private WebSocket socket;
    private ByteBuffer partial = ByteBuffer.allocate(0);
    private long clock;

    private DocumentEditor(String document, boolean hocuspocus, int id, LongConsumer remoteLatency) {
        this.document = document;
        this.hocuspocus = hocuspocus;
        this.id = id;
        this.clientId = 1 + (id * 2_654_435_761L & 0x7fff_ffffL);
        this.remoteLatency = remoteLatency;
    }

    /** Connects and completes once the server answered the editor's sync step 1. */
    static CompletableFuture<DocumentEditor> open(HttpClient http, ServerUnderTest server, String document, int id,
                                                 LongConsumer remoteLatency) {
        boolean hocuspocus = "hocuspocus".equals(server.name());
        DocumentEditor editor = new DocumentEditor(document, hocuspocus, id, remoteLatency);
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + (hocuspocus ? "/" : "/yjs/" + document));
        return http.newWebSocketBuilder().buildAsync(uri, editor).thenCompose(ws -> {
            editor.socket = ws;
            if (hocuspocus) {
                editor.send(editor.prefix().varUint(AUTH).varUint(0).varString("bench").toByteArray());
            }
            editor.send(editor.prefix().varUint(SYNC).varUint(STEP1).varBytes(new byte[] {0}).toByteArray());
            return editor.synced.orTimeout(60, TimeUnit.SECONDS).thenApply(v -> editor);
        });
    }

    /** Sends one update: appends {@code @t<nanos>;<id>} after this editor's previous insert. */
    void type() {
        String text = "@t" + System.nanoTime() + ";" + id + " ";
        Lib0Writer update = new Lib0Writer().varUint(1).varUint(1).varUint(clientId).varUint(clock);
        if (clock == 0) {
            update.uint8(4).varUint(1).varString("text"); // ContentString, parent = root type "text"
        } else {
            update.uint8(0x80 | 4).varUint(clientId).varUint(clock - 1); // origin: own previous character
        }
        update.varString(text).varUint(0); // content, empty delete set
        clock += text.length();
        send(prefix().varUint(SYNC).varUint(UPDATE).varBytes(update.toByteArray()).toByteArray());
    }

    /** Size of the sync step 2 the server answered with (the whole document for a new editor). */
    int syncBytes() {
        return syncBytes;
    }

    private Lib0Writer prefix() {
        return hocuspocus ? new Lib0Writer().varString(document) : new Lib0Writer();
    }

    private synchronized void send(byte[] message) {
        socket.sendBinary(ByteBuffer.wrap(message), true).join();
    }

    void close() {
        socket.abort();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        ByteBuffer all = ByteBuffer.allocate(partial.remaining() + data.remaining()).put(partial).put(data).flip();
        if (!last) {
            partial = all;
        } else {
            partial = ByteBuffer.allocate(0);
            byte[] message = new byte[all.remaining()];
            all.get(message);
            received(message);
        }
        ws.request(1);
        return null;
    }

    private void received(byte[] message) {
        long now = System.nanoTime();
        Lib0Reader in = new Lib0Reader(message);
        if (hocuspocus) {
            in.varBytes(); // document name
        }
        if (in.varUint() != SYNC) {
            return;
        }
        long step = in.varUint();
        if (step == STEP2) {
            syncBytes = message.length;
            synced.complete(null);
        } else if (step == UPDATE) {
            measure(message, now);
        }
    }

    /**
     * Finds every {@code @t<nanos>;<sender>} in the update's bytes (a server may merge several updates into one
     * message) and records the latency of those from other editors.
     */
    private void measure(byte[] message, long now) {
        for (int at = indexOf(message, MARK, 0); at >= 0; at = indexOf(message, MARK, at + 1)) {
            long sent = 0;
            int i = at + MARK.length;
            while (i < message.length && message[i] >= '0' && message[i] <= '9') {
                sent = sent * 10 + (message[i++] - '0');
            }
            int sender = 0;
            for (i++; i < message.length && message[i] >= '0' && message[i] <= '9'; i++) {
                sender = sender * 10 + (message[i] - '0');
            }
            if (sender != id) {
                remoteLatency.accept(now - sent);
            }
        }
    }

    private static int indexOf(byte[] data, byte[] mark, int from) {
        outer:
        for (int i = from; i + mark.length <= data.length; i++) {
            for (int j = 0; j < mark.length; j++) {
                if (data[i + j] != mark[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
