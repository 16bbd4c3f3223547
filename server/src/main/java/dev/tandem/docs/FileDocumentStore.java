package dev.tandem.docs;

import dev.tandem.yjs.Lib0Reader;
import dev.tandem.yjs.Lib0Writer;
import dev.tandem.yjs.MalformedUpdateException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DocumentStore} on plain files: {@code dataDir/docs/<room>.yupd}, each an append-only log of
 * length-prefixed updates (selected with {@code documents.store: file}).
 *
 * <p>Design: the {@link QueuedDocumentStore} worker owns every file. A batch of appends is written, then each
 * touched file is fsynced once before the appends complete (group commit). A crash can leave a torn last
 * record; loading ignores it and truncates the file to the last whole record. A compaction writes a temporary
 * file, fsyncs it and renames it over the log.
 */
public final class FileDocumentStore extends QueuedDocumentStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileDocumentStore.class);
    private static final int MAX_OPEN_FILES = 256;
    private static final String SUFFIX = ".yupd";

    private final Path dir;
    private final Map<String, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);

    public FileDocumentStore(Path dataDir) {
        this(dataDir, DocumentStoreListener.NONE);
    }

    public FileDocumentStore(Path dataDir, DocumentStoreListener listener) {
        super("tandem-docs-store", listener);
        this.dir = dataDir.resolve("docs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        start();
    }

    @Override
    protected void write(List<RoomUpdate> batch) throws IOException {
        Map<String, FileChannel> dirty = new LinkedHashMap<>();
        for (RoomUpdate u : batch) {
            FileChannel ch = channel(u.room());
            writeFully(ch, record(u.update()));
            dirty.put(u.room(), ch);
        }
        for (FileChannel ch : dirty.values()) {
            ch.force(false);
        }
    }

    @Override
    protected void remove(String room) throws IOException {
        closeChannel(room);
        Files.deleteIfExists(file(room));
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

    @Override
    protected List<byte[]> read(String room) throws IOException {
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

    @Override
    protected void replace(String room, byte[] compacted) throws IOException {
        closeChannel(room);
        Path file = file(room);
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

    @Override
    protected void release() {
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
