package dev.tandem.store.h2;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

/**
 * Compacts the embedded H2 file a little at a time, in place of the MVStore housekeeping that
 * {@code WRITE_DELAY=0} switches off.
 *
 * <p>Why it is needed: H2's MVStore is copy-on-write and appends one chunk per commit. A chunk becomes free
 * space only once every page in it has been superseded; a chunk still holding one live page (a leaf of
 * {@code events} that no later commit rewrote) stays, so under sustained load chunks end up a few percent
 * full and the file grows without bound. The MVStore's background writer normally rewrites the live pages of
 * such sparse chunks into new, dense ones, but it is the same thread that writes delayed commits, and
 * {@code WRITE_DELAY=0} (crash safety, see {@code JdbcStore.H2_SETTINGS}) stops it.
 *
 * <p>What a step does: when the chunks' fill rate (live bytes over chunk bytes) is below
 * {@link #TARGET_FILL_RATE}, it rewrites at most {@link #WRITE_BUDGET} bytes of live pages taken from the
 * sparsest old chunks and commits them as a chunk of their own, so the next group commit does not carry
 * them. The sparse chunks then die and their space is reused by later chunks: the file stops growing (it
 * does not shrink; {@code SHUTDOWN COMPACT} does that offline). A step holds the MVStore's store lock, which
 * every commit needs, so the budget is small to keep the group-commit writer's stall (and ack latency) to a
 * few milliseconds. H2 only rewrites chunks older than its retention time (45 s), so a fresh store has
 * nothing to do.
 *
 * <p>Constants, not settings: the budget and threshold are properties of H2's page format and of the ack
 * latency the writer should keep, not of a deployment.
 */
public final class H2Housekeeping {
    /** How often a step runs: {@link #WRITE_BUDGET} per interval is the most this can rewrite per second. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);
    /** Chunks fuller than this (percent live) are left alone; H2's own auto-compaction aims at 90 (file) / 50. */
    static final int TARGET_FILL_RATE = 50;
    /** Live bytes rewritten per step at most: ~10 ms of store lock on a warm JVM. */
    static final int WRITE_BUDGET = 1024 * 1024;

    private H2Housekeeping() {
    }

    /**
     * The file's size and how full its chunks are, after a step.
     *
     * @param fileBytes       size of the database file
     * @param chunksFillRate  live bytes over chunk bytes, percent (100 = nothing to reclaim)
     * @param rewrote         whether this step moved any pages
     */
    public record Fill(long fileBytes, int chunksFillRate, boolean rewrote) {
    }

    /** Runs one budgeted compaction step on the database behind {@code connection} (an H2 connection). */
    public static Fill step(Connection connection) throws SQLException {
        MVStore store = mvStore(connection);
        boolean rewrote = false;
        if (chunksFillRate(store) < TARGET_FILL_RATE && store.compact(TARGET_FILL_RATE, WRITE_BUDGET)) {
            store.commit();
            rewrote = true;
        }
        return new Fill(store.getFileStore().size(), chunksFillRate(store), rewrote);
    }

    /** The MVStore behind an H2 connection (pooled or not), through H2's public engine API. */
    public static MVStore mvStore(Connection connection) throws SQLException {
        JdbcConnection h2 = connection.unwrap(JdbcConnection.class);
        return ((SessionLocal) h2.getSession()).getDatabase().getStore().getMvStore();
    }

    private static int chunksFillRate(MVStore store) {
        FileStore<?> file = store.getFileStore();
        return file == null ? 100 : file.getChunksFillRate();
    }
}
