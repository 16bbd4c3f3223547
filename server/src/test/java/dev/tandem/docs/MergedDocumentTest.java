package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TypedUpdates;
import dev.tandem.yjs.YUpdates;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A loaded document is one merged update plus a bounded tail: the tail asks for a background merge once per
 * batch, and for a large document only once the tail is a quarter of it; a merge folds exactly the updates it
 * saw into the merged update, and updates added during a merge stay for the next one.
 */
class MergedDocumentTest {
    private static final long CLIENT = 42;

    @Test
    void aFullBatchAsksForOneBackgroundMergeAndTheMergeLeavesOneUpdate() {
        MergedDocument document = new MergedDocument();
        List<byte[]> updates = TypedUpdates.typed(CLIENT, 0, 3 * MergedDocument.MERGE_BATCH);
        int asked = 0;
        for (byte[] update : updates.subList(0, 2 * MergedDocument.MERGE_BATCH)) {
            asked += document.add(update) ? 1 : 0;
        }
        assertThat(asked).as("one request while a merge is queued, not one per update").isEqualTo(1);

        byte[] merged = document.current();
        assertThat(merged).isEqualTo(YUpdates.merge(updates.subList(0, 2 * MergedDocument.MERGE_BATCH)));
        assertThat(document.snapshot().tail()).isEmpty();
        assertThat(document.snapshot().base()).isSameAs(merged);

        for (byte[] update : updates.subList(2 * MergedDocument.MERGE_BATCH, updates.size())) {
            asked += document.add(update) ? 1 : 0;
        }
        assertThat(asked).as("the merge ran, so the next full batch asks again").isEqualTo(2);
        assertThat(document.current()).isEqualTo(YUpdates.merge(updates));
    }

    @Test
    void updatesAddedWhileAMergeRunsStayInTheTail() {
        MergedDocument document = new MergedDocument();
        List<byte[]> updates = TypedUpdates.typed(CLIENT, 0, 10);
        updates.subList(0, 6).forEach(document::add);
        MergedDocument.Snapshot during = document.snapshot();
        updates.subList(6, 10).forEach(document::add);

        document.install(during, YUpdates.merge(during.updates()));

        assertThat(document.snapshot().tail()).containsExactlyElementsOf(updates.subList(6, 10));
        assertThat(document.current()).isEqualTo(YUpdates.merge(updates));
    }

    @Test
    void aMergeOfAnOutdatedSnapshotIsNotInstalled() {
        MergedDocument document = new MergedDocument();
        List<byte[]> updates = TypedUpdates.typed(CLIENT, 0, 6);
        updates.subList(0, 3).forEach(document::add);
        MergedDocument.Snapshot stale = document.snapshot();
        document.current(); // another merge got there first
        updates.subList(3, 6).forEach(document::add);

        document.install(stale, YUpdates.merge(stale.updates()));

        assertThat(document.snapshot().tail()).hasSize(3);
        assertThat(document.current()).isEqualTo(YUpdates.merge(updates));
    }

    @Test
    void theStateVectorIsTheMergedDocumentsAndFollowsNewUpdates() {
        MergedDocument document = new MergedDocument();
        List<byte[]> updates = TypedUpdates.typed(CLIENT, 0, 5);
        document.load(updates.subList(0, 4));
        assertThat(document.stateVector()).isEqualTo(YUpdates.stateVector(YUpdates.merge(updates.subList(0, 4))));
        document.add(updates.get(4));
        assertThat(document.stateVector()).isEqualTo(YUpdates.stateVector(YUpdates.merge(updates)));
    }

    @Test
    void aTailIsMergedOnlyOnceItIsAQuarterOfTheMergedUpdate() {
        MergedDocument document = new MergedDocument();
        List<byte[]> updates = TypedUpdates.typed(CLIENT, 0, 2000);
        document.load(updates.subList(0, 1000));
        byte[] base = document.current();
        int added = 0;
        for (byte[] update : updates.subList(1000, 2000)) {
            added++;
            if (document.add(update)) {
                break;
            }
        }
        long tailBytes = updates.subList(1000, 1000 + added).stream().mapToLong(u -> u.length).sum();
        assertThat(added).isGreaterThan(MergedDocument.MERGE_BATCH);
        assertThat(tailBytes).isBetween(base.length / 4L, base.length / 4L + updates.get(1999).length);
    }
}
