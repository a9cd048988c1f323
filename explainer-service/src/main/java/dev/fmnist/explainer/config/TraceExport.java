package dev.fmnist.explainer.config;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Trace export is off until an OTLP endpoint is configured (docs/architecture.md, "Tracing"). Spans are still made
 * (trace and span ids in the log lines, {@code traceparent} on the Kafka records), then dropped. Quarkus installs
 * its OTLP exporter, which would try {@code localhost:4317} and log every failed export, only when no other
 * {@link SpanExporter} bean can be looked up: this one can while {@code quarkus.otel.exporter.otlp.endpoint}
 * ({@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT}, or {@code OTEL_EXPORTER_OTLP_ENDPOINT} through
 * application.properties) is unset or {@code none}.
 */
@Singleton
public class TraceExport {
    @Produces
    @Singleton
    @LookupIfProperty(name = "quarkus.otel.exporter.otlp.endpoint", stringValue = "none", lookupIfMissing = true)
    SpanExporter noExport() {
        return SpanExporter.composite();
    }
}
