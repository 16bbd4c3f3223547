package dev.tandem.ops;

import dev.tandem.config.TracingConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * OpenTelemetry spans, exported in batches over OTLP/HTTP (protobuf, sent by the JDK's HTTP client) when
 * {@code tracing.otlp.endpoint} is set. When it is not, {@link #enabled} is false and instrumented code skips
 * span creation entirely, so tracing costs one branch. Spans: {@code tandem.publish} with children
 * {@code tandem.store.append} (queue wait and group commit of a durable event) and {@code tandem.fanout};
 * {@code tandem.entity.write} with children {@code tandem.store.write} and {@code tandem.fanout}. Export runs on the SDK's own thread with a bounded
 * queue (spans beyond it are dropped, never blocking an event loop).
 */
public final class Tracing implements AutoCloseable {
    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final Tracing OFF = new Tracing(null, TracerProvider.noop().get("dev.tandem"));

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(SdkTracerProvider provider, Tracer tracer) {
        this.provider = provider;
        this.tracer = tracer;
    }

    public static Tracing start(TracingConfig config) {
        if (!config.enabled()) {
            return OFF;
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.otlp().endpoint())
                .setTimeout(Duration.ofSeconds(10))
                .build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, config.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter)
                        .setScheduleDelay(Duration.ofSeconds(1))
                        .setMaxQueueSize(8192)
                        .build())
                .build();
        return new Tracing(provider, provider.get("dev.tandem"));
    }

    public boolean enabled() {
        return provider != null;
    }

    public Tracer tracer() {
        return tracer;
    }

    /**
     * Runs {@code work} inside a new span (a child of the current one), current while {@code work} starts its
     * asynchronous steps so theirs nest under it, and ends it when the future completes (marked as an error
     * when it fails). With tracing off this is {@code work.get()}.
     */
    public <T> CompletableFuture<T> traced(String name, Attributes attributes, Supplier<CompletableFuture<T>> work) {
        if (!enabled()) {
            return work.get();
        }
        Span span = tracer.spanBuilder(name).setAllAttributes(attributes).startSpan();
        CompletableFuture<T> result;
        try (Scope ignored = span.makeCurrent()) {
            result = work.get();
        } catch (RuntimeException e) {
            failed(span, e);
            span.end();
            throw e;
        }
        return endWhenDone(span, result);
    }

    /** A span started now as a child of the current one; the caller ends it (see {@link #endWhenDone}). */
    public Span start(String name) {
        return tracer.spanBuilder(name).startSpan();
    }

    /** Ends {@code span} when {@code future} completes, if nothing ended it before; a failure marks it. */
    public static <T> CompletableFuture<T> endWhenDone(Span span, CompletableFuture<T> future) {
        return future.whenComplete((value, error) -> {
            if (error != null) {
                failed(span, error);
            }
            span.end(); // a second end() (after a commit callback ended it) is ignored by the SDK
        });
    }

    /** Runs {@code work} in a span that is a child of {@code parent}, on whatever thread this is. */
    public void run(String name, Context parent, Runnable work) {
        call(name, parent, () -> {
            work.run();
            return null;
        });
    }

    /** As {@link #run}, for work with a result. */
    public <T> T call(String name, Context parent, Supplier<T> work) {
        Span span = tracer.spanBuilder(name).setParent(parent).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    private static void failed(Span span, Throwable error) {
        span.recordException(error);
        span.setStatus(StatusCode.ERROR);
    }

    /** Flushes what is queued and stops the exporter (bounded wait). */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
