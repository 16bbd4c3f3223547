package dev.tandem.bench;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Collaborative editing: {@code docs} documents with {@code editors} y-websocket editors each (50 on one
 * document, or 500 documents with 5 editors), every editor typing at a fixed rate. Measures update-to-remote
 * latency (an editor's update reaching the other editors of its document), server CPU per update and the
 * server's resident memory per loaded document, the same way for Tandem and for the Hocuspocus peer.
 */
final class DocumentsScenario {

    /**
     * Parameters.
     *
     * @param docs     documents
     * @param editors  editors per document
     * @param rate     updates per second per editor
     * @param seconds  measured duration
     * @param warmup   unrecorded seconds of the same load first
     */
    record Params(int docs, int editors, double rate, int seconds, int warmup) {
    }

    /**
     * Results.
     *
     * @param server              which server
     * @param params              parameters
     * @param updates             updates sent in the measured period
     * @param remoteDeliveries    updates received by other editors
     * @param p50Millis           median update-to-remote latency
     * @param p99Millis           99th percentile
     * @param cpuMicrosPerUpdate  server CPU per update sent
     * @param rssBytes            server resident memory at the end
     * @param rssBytesPerDocument RSS growth from before the editors connected, per document
     */
    record Result(String server, Params params, long updates, long remoteDeliveries, double p50Millis,
                  double p99Millis, double cpuMicrosPerUpdate, long rssBytes, double rssBytesPerDocument) {
    }

    /**
     * Loading a document with a long history.
     *
     * @param server          which server
     * @param updates         single updates typed into the document
     * @param documentBytes   size of the sync step 2 a new editor received
     * @param warmSyncMillis  a new editor's connect → synced while the document is in memory
     * @param coldLoadMillis  the same after the document was unloaded, so it loads from the store (-1: the server
     *                        keeps no document without editors)
     */
    record HistoryResult(String server, int updates, int documentBytes, double warmSyncMillis, double coldLoadMillis) {
    }

    private DocumentsScenario() {
    }

    /**
     * Types {@code updates} updates into one document, then times a new editor's sync; for a server that unloads
     * idle documents (Tandem), also after every editor left and the document was unloaded.
     */
    static HistoryResult history(ServerUnderTest server, int updates) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        warmSync(http, server, "bench-history-warmup", updates); // unrecorded: the same paths, JIT-compiled first
        Sync warm = warmSync(http, server, "bench-history", updates);
        double cold = -1;
        if ("tandem".equals(server.name()) && unloaded(server)) {
            long start = System.nanoTime();
            DocumentEditor loader = DocumentEditor.open(http, server, "bench-history", 3, n -> { }).get(120, TimeUnit.SECONDS);
            cold = (System.nanoTime() - start) / 1e6;
            loader.close();
        }
        return new HistoryResult(server.name(), updates, warm.bytes(), warm.millis(), cold);
    }

    /** A new editor's sync: connect → synced in ms, and the size of the document it received. */
    private record Sync(double millis, int bytes) {
    }

    /** Types {@code updates} updates into {@code doc}, then times a new editor's sync while the document is in memory. */
    private static Sync warmSync(HttpClient http, ServerUnderTest server, String doc, int updates) throws Exception {
        LongAdder received = new LongAdder();
        DocumentEditor writer = DocumentEditor.open(http, server, doc, 0, n -> { }).get(60, TimeUnit.SECONDS);
        DocumentEditor watcher = DocumentEditor.open(http, server, doc, 1, n -> received.increment()).get(60, TimeUnit.SECONDS);
        for (int i = 0; i < updates; i++) {
            writer.type();
        }
        // well inside Hocuspocus's 30 s timeout for connections that send nothing
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received.sum() < updates && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long start = System.nanoTime();
        DocumentEditor late = DocumentEditor.open(http, server, doc, 2, n -> { }).get(120, TimeUnit.SECONDS);
        Sync sync = new Sync((System.nanoTime() - start) / 1e6, late.syncBytes());
        late.close();
        writer.close();
        watcher.close();
        return sync;
    }

    /** Waits (up to a minute) for Tandem to report no document open. */
    private static boolean unloaded(ServerUnderTest server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (server.get("/metrics").body().contains("\ntandem_documents_open 0.0")) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    static Result run(ServerUnderTest server, Params params) throws Exception {
        LatencyTally received = new LatencyTally();
        HttpClient http = HttpClient.newHttpClient();
        long rssBefore = server.rssBytes();
        List<DocumentEditor> editors = connect(server, params, http, received::delivered);
        try {
            type(editors, params.rate(), params.warmup());
            Thread.sleep(1000);
            received.reset();
            long cpuBefore = server.cpuNanos();
            long sent = type(editors, params.rate(), params.seconds());
            Thread.sleep(2000);
            long cpu = server.cpuNanos() - cpuBefore;
            Histogram h = received.histogram();
            long rss = server.rssBytes();
            return new Result(server.name(), params, sent, received.count(), LatencyTally.millis(h, 50),
                    LatencyTally.millis(h, 99), sent == 0 ? Double.NaN : cpu / 1000.0 / sent, rss,
                    (rss - rssBefore) / (double) params.docs());
        } finally {
            editors.forEach(DocumentEditor::close);
        }
    }

    private static List<DocumentEditor> connect(ServerUnderTest server, Params params, HttpClient http,
                                                java.util.function.LongConsumer sink) throws Exception {
        List<DocumentEditor> editors = new ArrayList<>();
        int batch = 100;
        for (int start = 0; start < params.docs() * params.editors(); start += batch) {
            List<CompletableFuture<DocumentEditor>> opening = new ArrayList<>();
            for (int i = start; i < Math.min(start + batch, params.docs() * params.editors()); i++) {
                opening.add(DocumentEditor.open(http, server, "bench-doc-" + (i % params.docs()), i, sink));
            }
            for (CompletableFuture<DocumentEditor> f : opening) {
                editors.add(f.get(90, TimeUnit.SECONDS));
            }
        }
        return editors;
    }

    /** Every editor types {@code rate} updates a second for {@code seconds}, round robin; returns updates sent. */
    private static long type(List<DocumentEditor> editors, double rate, int seconds) {
        double total = rate * editors.size();
        return Pace.run((long) (total * seconds), total, i -> editors.get((int) (i % editors.size())).type());
    }
}
