package dev.tandem.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A real {@code yjs} edit history from the recorded vectors ({@code /yjs/update-vectors.json}): its updates in
 * order and what {@code Y.mergeUpdates} made of them, for tests of storage and compaction.
 */
public record RecordedHistory(List<byte[]> updates, byte[] merged) {

    /** The first recorded case with at least {@code minUpdates} updates. */
    public static RecordedHistory withAtLeast(int minUpdates) {
        try (InputStream in = RecordedHistory.class.getResourceAsStream("/yjs/update-vectors.json")) {
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                if (c.get("updates").size() >= minUpdates) {
                    List<byte[]> updates = new ArrayList<>();
                    c.get("updates").forEach(u -> updates.add(HexFormat.of().parseHex(u.textValue())));
                    return new RecordedHistory(updates, HexFormat.of().parseHex(c.get("merged").textValue()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no vector case with " + minUpdates + " updates");
    }
}
