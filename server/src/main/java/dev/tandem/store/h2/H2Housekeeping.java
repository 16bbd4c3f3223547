package dev.tandem.store.h2;

import java.sql.Connection;
import java.sql.SQLException;
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
 * {@link #TARGET_FILL_RATE}, it rewrites at most {@code store.h2.compactStep} bytes of live pages taken from the
 * sparsest old chunks and commits them as a chunk of their own, so the next group commit does not carry
 * them. The sparse chunks then die and their space is reused by later chunks: once steps keep up with the load
 * the file stops growing (it does not shrink; {@code SHUTDOWN COMPACT} does that offline). A step holds the MVStore's store lock, which
 * every commit needs (30-50 ms per MB rewritten under load), so steps are small and spaced
 * ({@code store.h2.compactInterval}): disk is traded for ack latency, and how much of each is a deployment's
 * choice. H2 only rewrites chunks older than its retention time (45 s), so a fresh store has nothing to do.
 */
public final class H2Housekeeping {
    /** Chunks fuller than this (percent live) are left alone: rewriting them would free little per byte written. */
    static final int TARGET_FILL_RATE = 50;

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

    /** Runs one compaction step, rewriting at most {@code budget} live bytes, on the H2 database behind {@code connection}. */
    public static Fill step(Connection connection, int budget) throws SQLException {
        MVStore store = mvStore(connection);
        boolean rewrote = false;
        if (chunksFillRate(store) < TARGET_FILL_RATE && store.compact(TARGET_FILL_RATE, budget)) {
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
