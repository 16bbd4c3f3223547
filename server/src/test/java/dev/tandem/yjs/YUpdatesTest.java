package dev.tandem.yjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TypedUpdates;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Byte-level agreement with the real {@code yjs} package: {@code update-vectors.json} is produced by
 * {@code server/src/test/js/yjs/vectors.mjs} (random concurrent edits by several clients, with and without GC)
 * and holds what {@code Y.mergeUpdates}, {@code Y.encodeStateVectorFromUpdate} and {@code Y.diffUpdate} returned.
 */
class YUpdatesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static JsonNode cases;

    @BeforeAll
    static void loadVectors() throws IOException {
        try (InputStream in = YUpdatesTest.class.getResourceAsStream("/yjs/update-vectors.json")) {
            cases = new ObjectMapper().readTree(in).get("cases");
        }
        assertThat(cases.size()).isGreaterThanOrEqualTo(50);
    }

    private static byte[] bytes(JsonNode c, String field) {
        return HEX.parseHex(c.get(field).textValue());
    }

    private static List<byte[]> updates(JsonNode c) {
        List<byte[]> list = new ArrayList<>();
        c.get("updates").forEach(u -> list.add(HEX.parseHex(u.textValue())));
        return list;
    }

    @Test
    void mergingUpdatesGivesTheBytesYjsMergeUpdatesGives() {
        for (JsonNode c : cases) {
            assertThat(HEX.formatHex(YUpdates.merge(updates(c)))).isEqualTo(c.get("merged").textValue());
        }
    }

    @Test
    void stateVectorOfAnUpdateIsTheOneYjsComputes() {
        for (JsonNode c : cases) {
            assertThat(HEX.formatHex(YUpdates.stateVector(bytes(c, "merged")))).isEqualTo(c.get("stateVector").textValue());
        }
    }

    @Test
    void diffAgainstAStateVectorIsTheOneYjsComputes() {
        for (JsonNode c : cases) {
            assertThat(HEX.formatHex(YUpdates.diff(bytes(c, "merged"), bytes(c, "peerStateVector"))))
                    .isEqualTo(c.get("diff").textValue());
            assertThat(HEX.formatHex(YUpdates.diff(bytes(c, "merged"), bytes(c, "partialStateVector"))))
                    .isEqualTo(c.get("diffFromPartial").textValue());
        }
    }

    @Test
    void mergingTheMergedUpdateWithItsOwnPartsChangesNothing() {
        for (JsonNode c : cases) {
            List<byte[]> again = updates(c);
            again.add(0, bytes(c, "merged"));
            assertThat(HEX.formatHex(YUpdates.merge(again))).isEqualTo(c.get("merged").textValue());
        }
    }

    @Test
    void aFullStateEncodingIsValidAndKeepsItsStateVectorWhenMergedWithAnEmptyUpdate() {
        for (JsonNode c : cases) {
            byte[] full = bytes(c, "fullState");
            YUpdates.validate(full);
            assertThat(YUpdates.stateVector(YUpdates.merge(List.of(full, YUpdates.EMPTY))))
                    .isEqualTo(YUpdates.stateVector(full));
        }
    }

    @Test
    void truncatedOrGarbageUpdatesAreRejectedWithAMalformedUpdateError() {
        byte[] merged = bytes(cases.get(0), "merged");
        byte[] truncated = Arrays.copyOf(merged, merged.length / 2);
        assertThatThrownBy(() -> YUpdates.validate(truncated)).isInstanceOf(MalformedUpdateException.class);
        assertThatThrownBy(() -> YUpdates.merge(List.of(new byte[] {1, 1, 5, 0, 99}, YUpdates.EMPTY)))
                .isInstanceOf(MalformedUpdateException.class);
    }

    @Test
    void mergingFiftyThousandSingleUpdatesIsNotQuadraticAndEqualsMergingThemInChunks() {
        int n = 50_000;
        List<byte[]> updates = TypedUpdates.typed(7, 0, n);
        // sorting every reader per struct (the old way) took minutes here; the generous bound only catches that
        byte[] merged = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> YUpdates.merge(updates));
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < n; i += 1000) {
            chunks.add(YUpdates.merge(updates.subList(i, i + 1000)));
        }
        assertThat(merged).isEqualTo(YUpdates.merge(chunks));
        byte[] oneClientAtN = new Lib0Writer().varUint(1).varUint(7).varUint(n).toByteArray();
        assertThat(YUpdates.stateVector(merged)).isEqualTo(oneClientAtN);
    }
}
