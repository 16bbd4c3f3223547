package dev.tandem.yjs;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes structs client run by client run (Yjs {@code LazyStructWriter}): consecutive structs of one client
 * form a run with a start clock; {@link #finish} writes the run count and every run, ready for the delete set.
 */
final class YStructWriter {
    private final List<byte[]> runs = new ArrayList<>();
    private final List<Integer> counts = new ArrayList<>();
    private Lib0Writer run = new Lib0Writer();
    private long currClient;
    private int written;

    void write(YStruct struct, int offset) {
        if (written > 0 && currClient != struct.client) {
            flush();
        }
        if (written == 0) {
            currClient = struct.client;
            run.varUint(struct.client).varUint(struct.clock + offset);
        }
        struct.write(run, offset);
        written++;
    }

    private void flush() {
        if (written > 0) {
            runs.add(run.toByteArray());
            counts.add(written);
            run = new Lib0Writer();
            written = 0;
        }
    }

    /** The struct section: run count, then each run as (struct count, client, start clock, structs). */
    Lib0Writer finish() {
        flush();
        Lib0Writer out = new Lib0Writer(runs.stream().mapToInt(r -> r.length + 5).sum() + 8);
        out.varUint(runs.size());
        for (int i = 0; i < runs.size(); i++) {
            out.varUint(counts.get(i)).bytes(runs.get(i));
        }
        return out;
    }
}
