package dev.tandem.docs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The {@code tandem_documents_*} meters: documents open in memory, updates stored (their rate is updates per
 * second), bytes written to the document store, and compaction time. Fed by the document store as it works.
 */
public final class DocumentMetrics implements DocumentStoreListener {
    private final MeterRegistry registry;
    private final Counter updates;
    private final Counter bytes;
    private final Timer compaction;

    public DocumentMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.updates = Counter.builder("tandem.documents.updates")
                .description("document updates stored (rate: updates per second)").register(registry);
        this.bytes = Counter.builder("tandem.documents.stored.bytes")
                .description("bytes written to the document store (updates and compacted documents)").register(registry);
        this.compaction = Timer.builder("tandem.documents.compaction")
                .description("time to merge a document into one update and store it").register(registry);
    }

    /** Reports the number of documents loaded in memory as {@code tandem_documents_open}. */
    public void watchOpen(IntSupplier open) {
        Gauge.builder("tandem.documents.open", open, IntSupplier::getAsInt)
                .description("documents loaded in memory").strongReference(true).register(registry);
    }

    @Override
    public void stored(int count, long size) {
        updates.increment(count);
        bytes.increment(size);
    }

    @Override
    public void compacted(long nanos, long size) {
        compaction.record(nanos, TimeUnit.NANOSECONDS);
        bytes.increment(size);
    }
}
