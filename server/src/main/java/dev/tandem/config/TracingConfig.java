package dev.tandem.config;

/**
 * OpenTelemetry tracing. Off unless {@code otlp.endpoint} is set.
 *
 * @param otlp        where spans go
 * @param sampleRatio fraction of traces kept, 0 to 1
 * @param serviceName {@code service.name} resource attribute of the spans
 */
public record TracingConfig(Otlp otlp, double sampleRatio, String serviceName) {

    /** Whether spans are recorded and exported at all. */
    public boolean enabled() {
        return otlp != null && otlp.endpoint() != null && !otlp.endpoint().isBlank();
    }

    /**
     * The OTLP exporter.
     *
     * @param endpoint OTLP/HTTP traces URL, e.g. {@code http://127.0.0.1:4318/v1/traces}; null turns tracing off
     */
    public record Otlp(String endpoint) {
    }
}
