package dev.fmnist.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Topics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordTracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private final RecordTracing tracing = new RecordTracing(sdk);

    @AfterEach
    void close() {
        sdk.close();
    }

    private static ConsumerRecord<String, byte[]> record(String traceparent, String tracestate) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>("fmnist.images", 3, 42, "req-1",
                "{}".getBytes(StandardCharsets.UTF_8));
        if (traceparent != null) {
            r.headers().add(new RecordHeader(Topics.HEADER_TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8)));
        }
        if (tracestate != null) {
            r.headers().add(new RecordHeader(RecordTracing.HEADER_TRACESTATE, tracestate.getBytes(StandardCharsets.UTF_8)));
        }
        return r;
    }

    private static String header(List<RecordHeader> headers, String key) {
        return headers.stream().filter(h -> h.key().equals(key)).map(h -> new String(h.value(), StandardCharsets.UTF_8))
                .findFirst().orElse(null);
    }

    @Test
    void theConsumerSpanContinuesTheRecordsTraceAndItsHeadersCarryIt() {
        Span span = tracing.startConsumer(record(TRACEPARENT, "vendor=abc"), "inference-service");
        Context trace = Context.root().with(span);
        List<RecordHeader> headers = tracing.headers(trace);
        span.end();

        SpanData data = spans.getFinishedSpanItems().get(0);
        assertThat(data.getName()).isEqualTo("fmnist.images process");
        assertThat(data.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(data.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(data.getParentSpanId()).isEqualTo(PARENT_ID);
        assertThat(data.getParentSpanContext().isRemote()).isTrue();
        assertThat(data.getAttributes().get(RecordTracing.MESSAGING_SYSTEM)).isEqualTo("kafka");
        assertThat(data.getAttributes().get(RecordTracing.MESSAGING_DESTINATION)).isEqualTo("fmnist.images");
        assertThat(data.getAttributes().get(RecordTracing.MESSAGING_CONSUMER_GROUP)).isEqualTo("inference-service");
        assertThat(data.getAttributes().get(RecordTracing.MESSAGING_PARTITION)).isEqualTo(3L);
        assertThat(data.getAttributes().get(RecordTracing.MESSAGING_OFFSET)).isEqualTo(42L);
        assertThat(data.getAttributes().get(RecordTracing.MESSAGING_KEY)).isEqualTo("req-1");
        // inject: the produced record names the consumer span as its parent, the trace state goes along
        assertThat(header(headers, Topics.HEADER_TRACEPARENT)).isEqualTo("00-" + TRACE_ID + "-" + data.getSpanId() + "-01");
        assertThat(header(headers, RecordTracing.HEADER_TRACESTATE)).isEqualTo("vendor=abc");
        assertThat(RecordTracing.traceparent(trace)).isEqualTo(header(headers, Topics.HEADER_TRACEPARENT));
    }

    @Test
    void aStoredTraceparentRoundTrips() {
        Context parsed = tracing.parse(TRACEPARENT);
        SpanContext context = Span.fromContext(parsed).getSpanContext();
        assertThat(context.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(context.getSpanId()).isEqualTo(PARENT_ID);
        assertThat(context.isSampled()).isTrue();
        assertThat(RecordTracing.traceparent(parsed)).isEqualTo(TRACEPARENT);

        Span child = tracing.startInternal("explain lenet lime", parsed, List.of());
        child.end();
        assertThat(spans.getFinishedSpanItems().get(0).getParentSpanId()).isEqualTo(PARENT_ID);
        assertThat(spans.getFinishedSpanItems().get(0).getTraceId()).isEqualTo(TRACE_ID);
    }

    @Test
    void aMalformedOrMissingTraceparentStartsANewTraceAndNoErrorIsRaised() {
        for (String bad : new String[] {null, "", "tp1", "00-abc-def-01", "00-" + TRACE_ID + "-" + PARENT_ID,
                "00-00000000000000000000000000000000-" + PARENT_ID + "-01", "zz-" + TRACE_ID + "-" + PARENT_ID + "-01"}) {
            assertThat(Span.fromContext(tracing.extract(record(bad, null))).getSpanContext().isValid()).as(bad).isFalse();
            assertThat(RecordTracing.traceparent(tracing.parse(bad))).as(bad).isNull();
            Span span = tracing.startConsumer(record(bad, null), null);
            span.end();
        }
        assertThat(spans.getFinishedSpanItems()).hasSize(7).allSatisfy(s -> {
            assertThat(s.getParentSpanContext().isValid()).isFalse();
            assertThat(s.getTraceId()).isNotEqualTo(TRACE_ID);
        });
        assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getTraceId).doesNotHaveDuplicates();
    }

    @Test
    void aBatchSpanIsTheChildOfTheFirstRecordAndLinksTheOthers() {
        Span first = tracing.startConsumer(record(TRACEPARENT, null), null);
        Span second = tracing.startConsumer(record(null, null), null);
        Span batch = tracing.startInternal("score lenet", Context.root().with(first),
                List.of(Context.root().with(first), Context.root().with(second)));
        batch.end();
        SpanData data = spans.getFinishedSpanItems().get(0);
        assertThat(data.getParentSpanId()).isEqualTo(first.getSpanContext().getSpanId());
        assertThat(data.getLinks()).extracting(l -> l.getSpanContext().getSpanId())
                .containsExactly(first.getSpanContext().getSpanId(), second.getSpanContext().getSpanId());
    }

    @Test
    void withoutAnSdkTheRecordsContextStillTravelsOn() {
        Span span = RecordTracing.NOOP.startConsumer(record(TRACEPARENT, null), null);
        assertThat(span.isRecording()).isFalse();
        assertThat(header(RecordTracing.NOOP.headers(Context.root().with(span)), Topics.HEADER_TRACEPARENT))
                .isEqualTo(TRACEPARENT);
        assertThat(RecordTracing.NOOP.headers(Context.root())).isEmpty();
    }

    @Test
    void theBatchEdgeTracesEachRecordAndItsDeadLetterAndResultCarryTheConsumerSpan() throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        KafkaBatchEdge.Steps<String> steps = new KafkaBatchEdge.Steps<>() {
            @Override
            public String parse(ConsumerRecord<String, byte[]> record) {
                if (record.offset() == 1) {
                    throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON, "not JSON");
                }
                return "ok";
            }

            @Override
            public void process(List<KafkaBatchEdge.Parsed<String>> valid, KafkaBatchEdge.Batch batch) {
                valid.forEach(p -> batch.send("out", p.record().key(), new byte[0], p.trace()));
            }

            @Override
            public void deadLettered(String errorClass) {
            }
        };
        KafkaBatchEdge<String> edge = new KafkaBatchEdge<>("things", new BatchProducer(mock), "in.dlq", 1, steps, tracing,
                "group-1");
        ConsumerRecord<String, byte[]> good = record(TRACEPARENT, null);
        ConsumerRecord<String, byte[]> bad = new ConsumerRecord<>("fmnist.images", 0, 1, "req-2", new byte[0]);
        bad.headers().add(new RecordHeader(Topics.HEADER_TRACEPARENT, TRACEPARENT.getBytes(StandardCharsets.UTF_8)));
        edge.consume(List.of(good, bad), 2, () -> { }, e -> { });

        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).hasSize(2).allSatisfy(s -> {
            assertThat(s.getName()).isEqualTo("fmnist.images process");
            assertThat(s.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(s.getParentSpanId()).isEqualTo(PARENT_ID);
        });
        SpanData failed = finished.stream().filter(s -> s.getAttributes().get(RecordTracing.MESSAGING_OFFSET) == 1L)
                .findFirst().orElseThrow();
        SpanData processed = finished.stream().filter(s -> s != failed).findFirst().orElseThrow();
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(processed.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        ProducerRecord<String, byte[]> dlq = mock.history().stream().filter(r -> r.topic().equals("in.dlq")).findFirst()
                .orElseThrow();
        ProducerRecord<String, byte[]> out = mock.history().stream().filter(r -> r.topic().equals("out")).findFirst()
                .orElseThrow();
        assertThat(new String(dlq.headers().lastHeader(Topics.HEADER_TRACEPARENT).value(), StandardCharsets.UTF_8))
                .isEqualTo("00-" + TRACE_ID + "-" + failed.getSpanId() + "-01");
        assertThat(dlq.headers().headers(Topics.HEADER_TRACEPARENT)).hasSize(1);
        assertThat(new String(out.headers().lastHeader(Topics.HEADER_TRACEPARENT).value(), StandardCharsets.UTF_8))
                .isEqualTo("00-" + TRACE_ID + "-" + processed.getSpanId() + "-01");
    }
}
