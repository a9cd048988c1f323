package dev.fmnist.common.kafka;

import dev.fmnist.common.messaging.Topics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * W3C trace context on Kafka records and the spans of the services' plain Kafka paths (docs/architecture.md,
 * "Tracing"): the context a record's {@code traceparent}/{@code tracestate} headers name ({@link #extract}),
 * the headers that carry a span's context onto a produced record ({@link #headers}), one consumer span per
 * record ({@link #startConsumer}, {@code <topic> process}, kind CONSUMER, messaging attributes of the OTel
 * semantic conventions) and the internal spans under it ({@link #startInternal}).
 *
 * <p>Plain Java on the OpenTelemetry API alone: the services hand in Quarkus' {@code OpenTelemetry} bean. With the
 * SDK disabled (or {@link #NOOP}) spans are non-recording and cost little; a context read from a record still
 * travels on, so the produced records carry the caller's {@code traceparent} either way. A malformed header is
 * ignored (the span starts a new trace), never an error: tracing must not refuse a record.
 */
public final class RecordTracing {
    /** The instrumentation scope of the project's own spans. */
    public static final String SCOPE = "dev.fmnist";
    public static final String HEADER_TRACESTATE = "tracestate";

    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation");
    static final AttributeKey<String> MESSAGING_CONSUMER_GROUP = AttributeKey.stringKey("messaging.kafka.consumer.group");
    static final AttributeKey<String> MESSAGING_KEY = AttributeKey.stringKey("messaging.kafka.message.key");
    static final AttributeKey<Long> MESSAGING_PARTITION = AttributeKey.longKey("messaging.kafka.destination.partition");
    static final AttributeKey<Long> MESSAGING_OFFSET = AttributeKey.longKey("messaging.kafka.message.offset");

    /** Spans that record nothing; contexts still travel from a record's headers to the records it gives. */
    public static final RecordTracing NOOP = new RecordTracing(OpenTelemetry.noop());

    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            List<String> keys = new ArrayList<>();
            carrier.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers carrier, String key) {
            if (carrier == null) {
                return null;
            }
            Header h = carrier.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    /** W3C trace context only: the records' contract is {@code traceparent} (and {@code tracestate}), whatever else is configured. */
    private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();

    public RecordTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer(SCOPE);
    }

    /** The context a record's {@code traceparent} names, or {@link Context#root()} when it has none or a malformed one. */
    public Context extract(ConsumerRecord<?, ?> record) {
        return record == null ? Context.root() : propagator.extract(Context.root(), record.headers(), HEADERS);
    }

    /** The context a stored {@code traceparent} names, or {@link Context#root()} (null, blank or malformed). */
    public Context parse(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return propagator.extract(Context.root(), Map.of(Topics.HEADER_TRACEPARENT, traceparent), MAP);
    }

    /** The {@code traceparent} of {@code context}'s span, or null when it has no valid one (what the queue stores). */
    public static String traceparent(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (!span.isValid()) {
            return null;
        }
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }

    /** Headers carrying {@code context} onto a produced record: {@code traceparent} (and {@code tracestate}), or none. */
    public List<RecordHeader> headers(Context context) {
        List<RecordHeader> headers = new ArrayList<>(2);
        propagator.inject(context, headers, (carrier, key, value) ->
                carrier.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8))));
        return headers.isEmpty() ? Collections.emptyList() : headers;
    }

    /**
     * Starts the consumer span of one record: {@code <topic> process}, kind CONSUMER, its parent the context the
     * record's headers name (a new trace without one), with the messaging attributes of the OTel semantic
     * conventions. The caller ends it.
     */
    public Span startConsumer(ConsumerRecord<?, ?> record, String consumerGroup) {
        SpanBuilder builder = tracer.spanBuilder(record.topic() + " process")
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(extract(record))
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(MESSAGING_DESTINATION, record.topic())
                .setAttribute(MESSAGING_OPERATION, "process")
                .setAttribute(MESSAGING_PARTITION, (long) record.partition())
                .setAttribute(MESSAGING_OFFSET, record.offset());
        if (consumerGroup != null) {
            builder.setAttribute(MESSAGING_CONSUMER_GROUP, consumerGroup);
        }
        if (record.key() instanceof String key) {
            builder.setAttribute(MESSAGING_KEY, key);
        }
        return builder.startSpan();
    }

    /**
     * Starts the producer span of one record sent to {@code topic}: {@code <topic> publish}, kind PRODUCER, child of
     * {@code parent}. Its context is what the record's headers should carry ({@link #headers}).
     */
    public Span startProducer(String topic, String key, Context parent) {
        SpanBuilder builder = tracer.spanBuilder(topic + " publish")
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(MESSAGING_DESTINATION, topic)
                .setAttribute(MESSAGING_OPERATION, "publish");
        if (key != null) {
            builder.setAttribute(MESSAGING_KEY, key);
        }
        return builder.startSpan();
    }

    /**
     * Starts an internal span (a model call, a transaction) under {@code parent}. A batch's work serves several
     * records, each in a trace of its own: its span is the child of the first record's span and {@code links}
     * names the others' (OpenTelemetry's way for batches; the SDK keeps at most 128 links a span).
     */
    public Span startInternal(String name, Context parent, List<Context> links) {
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(parent);
        if (links != null) {
            for (Context link : links) {
                SpanContext linked = Span.fromContext(link).getSpanContext();
                if (linked.isValid()) {
                    builder.addLink(linked);
                }
            }
        }
        return builder.startSpan();
    }

    /** Marks {@code span} failed with {@code error} (recorded as an exception event). */
    public static void failed(Span span, Throwable error) {
        span.recordException(error);
        span.setStatus(StatusCode.ERROR, error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage());
    }
}
