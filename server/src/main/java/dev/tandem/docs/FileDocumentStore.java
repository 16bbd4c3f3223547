package dev.tandem.docs;

import dev.tandem.yjs.Lib0Reader;
import dev.tandem.yjs.Lib0Writer;
import dev.tandem.yjs.MalformedUpdateException;
import dev.tandem.yjs.YUpdates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DocumentStore} on plain files: {@code dataDir/docs/<room>.yupd}, each an append-only log of
 * length-prefixed updates.
 *
 * <p>Design: one writer thread owns every file and takes operations from one bounded queue, in order, which
 * gives the per-room ordering the contract asks for without locks. It drains whatever is queued as one batch,
 * writes it, then fsyncs each touched file once and only then completes the batch's appends: group commit, so
 * under load many updates share one fsync and an idle store syncs a lone update immediately (well under the
 * one-second window). A crash can leave a torn last record; loading ignores it and truncates the file to the
 * last whole record. {@code replace} writes a temporary file, fsyncs it and renames it over the log.
 */
public final class FileDocumentStore implements DocumentStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileDocumentStore.class);
    private static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_OPEN_FILES = 256;
    private static final String SUFFIX = ".yupd";

    private sealed interface Op permits Load, Append, Replace, Stop {
    }

    private record Load(String room, CompletableFuture<List<byte[]>> done) implements Op {
    }

    private record Append(String room, byte[] update, CompletableFuture<Void> done) implements Op {
    }

    private record Replace(String room, byte[] compacted, CompletableFuture<Void> done) implements Op {
    }

    private record Stop() implements Op {
    }

    private final Path dir;
    private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Map<String, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Thread writer;
    private volatile boolean closed;

    public FileDocumentStore(Path dataDir) {
        this.dir = dataDir.resolve("docs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        this.writer = new Thread(this::run, "tandem-docs-store");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public CompletableFuture<List<byte[]>> load(String room) {
        CompletableFuture<List<byte[]>> done = new CompletableFuture<>();
        submit(new Load(room, done), done);
        return done;
    }

    @Override
    public CompletableFuture<Void> append(String room, byte[] update) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(new Append(room, update, done), done);
        return done;
    }

    @Override
    public CompletableFuture<Void> replace(String room, byte[] compacted) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(new Replace(room, compacted, done), done);
        return done;
    }

    private void submit(Op op, CompletableFuture<?> done) {
        if (closed || !queue.offer(op)) {
            done.completeExceptionally(new RejectedExecutionException("document store " + (closed ? "closed" : "queue full")));
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(new Stop());
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Op> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, 4096);
            boolean stop = runBatch(batch);
            batch.clear();
            if (stop) {
                closeFiles();
                return;
            }
        }
    }

    /** Runs one batch in order; appends complete after the fsync that ends the batch. */
    private boolean runBatch(List<Op> batch) {
        Map<String, FileChannel> dirty = new LinkedHashMap<>();
        List<CompletableFuture<Void>> appended = new ArrayList<>();
        boolean stop = false;
        for (Op op : batch) {
            try {
                if (op instanceof Append a) {
                    FileChannel ch = channel(a.room());
                    writeFully(ch, record(a.update()));
                    dirty.put(a.room(), ch);
                    appended.add(a.done());
                } else if (op instanceof Load l) {
                    sync(dirty, appended);
                    l.done().complete(read(l.room()));
                } else if (op instanceof Replace r) {
                    sync(dirty, appended);
                    replaceFile(r.room(), r.compacted());
                    r.done().complete(null);
                } else {
                    stop = true;
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("document store operation on {} failed", dir, e);
                failed(op, e);
            }
        }
        sync(dirty, appended);
        return stop;
    }

    private void sync(Map<String, FileChannel> dirty, List<CompletableFuture<Void>> appended) {
        IOException failure = null;
        for (FileChannel ch : dirty.values()) {
            try {
                ch.force(false);
            } catch (IOException e) {
                failure = e;
            }
        }
        for (CompletableFuture<Void> f : appended) {
            if (failure == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(failure);
            }
        }
        dirty.clear();
        appended.clear();
    }

    private static void failed(Op op, Throwable e) {
        if (op instanceof Append a) {
            a.done().completeExceptionally(e);
        } else if (op instanceof Load l) {
            l.done().completeExceptionally(e);
        } else if (op instanceof Replace r) {
            r.done().completeExceptionally(e);
        }
    }

    private static ByteBuffer record(byte[] update) {
        return ByteBuffer.wrap(new Lib0Writer(update.length + 5).varBytes(update).toByteArray());
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private FileChannel channel(String room) throws IOException {
        FileChannel ch = open.get(room);
        if (ch != null) {
            return ch;
        }
        if (open.size() >= MAX_OPEN_FILES) {
            var eldest = open.entrySet().iterator().next();
            eldest.getValue().close();
            open.remove(eldest.getKey());
        }
        ch = FileChannel.open(file(room), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        open.put(room, ch);
        return ch;
    }

    private List<byte[]> read(String room) throws IOException {
        Path file = file(room);
        if (!Files.exists(file)) {
            return List.of();
        }
        byte[] data = Files.readAllBytes(file);
        List<byte[]> updates = new ArrayList<>();
        Lib0Reader in = new Lib0Reader(data);
        int whole = 0;
        try {
            while (in.hasMore()) {
                updates.add(in.varBytes());
                whole = in.position();
            }
        } catch (MalformedUpdateException e) {
            LOG.warn("document {}: ignoring a torn last record ({} of {} bytes are whole records)", room, whole, data.length);
            closeChannel(room);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(whole);
                ch.force(true);
            }
        }
        return updates;
    }

    private void replaceFile(String room, byte[] compacted) throws IOException {
        closeChannel(room);
        Path file = file(room);
        if (YUpdates.isEmpty(compacted)) {
            Files.deleteIfExists(file);
            return;
        }
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, record(compacted));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    private void closeChannel(String room) throws IOException {
        FileChannel ch = open.remove(room);
        if (ch != null) {
            ch.close();
        }
    }

    private void closeFiles() {
        for (FileChannel ch : open.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing a document file failed: {}", e.toString());
            }
        }
        open.clear();
    }

    /** Short names are kept readable (base64url); long ones are hashed to stay within file-name limits. */
    private Path file(String room) {
        byte[] name = room.getBytes(StandardCharsets.UTF_8);
        if (name.length <= 120) {
            return dir.resolve(Base64.getUrlEncoder().withoutPadding().encodeToString(name) + SUFFIX);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(name);
            return dir.resolve("h-" + HexFormat.of().formatHex(hash) + SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
