package dev.tandem.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.protocol.FrameCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The built-in archive: one gzip NDJSON file per channel per UTC day,
 * {@code archive/<channel, percent-encoded>/<yyyy-MM-dd>.ndjson.gz}. Each write appends one gzip member (a
 * file of concatenated members is valid gzip) and forces it to disk. One line per event:
 * {@code {channel, seq, type, messageId, payload, userId, clientMsgId, createdAt}}.
 */
public final class GzipNdjsonArchive implements ArchiveSink {
    private final Path root;

    public GzipNdjsonArchive(Path root) {
        this.root = root;
    }

    @Override
    public synchronized void write(String channel, List<StoredEvent> events) throws IOException {
        Map<LocalDate, List<StoredEvent>> byDay = new LinkedHashMap<>();
        for (StoredEvent event : events) {
            LocalDate day = Instant.ofEpochMilli(event.createdAt()).atZone(ZoneOffset.UTC).toLocalDate();
            byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(event);
        }
        for (Map.Entry<LocalDate, List<StoredEvent>> day : byDay.entrySet()) {
            Path file = file(channel, day.getKey());
            Files.createDirectories(file.getParent());
            ByteArrayOutputStream member = new ByteArrayOutputStream();
            try (OutputStream gzip = new GZIPOutputStream(member)) {
                for (StoredEvent event : day.getValue()) {
                    gzip.write(line(event));
                }
            }
            try (var out = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                out.write(java.nio.ByteBuffer.wrap(member.toByteArray()));
                out.force(true);
            }
        }
    }

    @Override
    public Optional<byte[]> read(String channel, LocalDate day) throws IOException {
        Path file = file(channel, day);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return Optional.of(in.readAllBytes());
        }
    }

    private Path file(String channel, LocalDate day) {
        String directory = URLEncoder.encode(channel, StandardCharsets.UTF_8).replace(".", "%2E");
        return root.resolve(directory).resolve(day + ".ndjson.gz");
    }

    private static byte[] line(StoredEvent event) throws IOException {
        ObjectNode line = FrameCodec.JSON.createObjectNode()
                .put("channel", event.channel()).put("seq", event.seq()).put("type", event.type())
                .put("messageId", event.messageId());
        line.putRawValue("payload", new RawValue(event.payload()));
        line.put("userId", event.userId()).put("clientMsgId", event.clientMsgId()).put("createdAt", event.createdAt());
        byte[] json = FrameCodec.JSON.writeValueAsBytes(line);
        byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        return withNewline;
    }
}
