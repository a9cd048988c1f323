package dev.fmnist.explainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.explainer.messaging.PredictionBatchConsumer;
import dev.fmnist.explainer.service.ExplanationPolicy;
import dev.fmnist.explainer.service.ExplanationWorkers;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.agroal.api.AgroalDataSource;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * One trace from a prediction to its explanations (docs/architecture.md, "Tracing"): a prediction record with a
 * known W3C {@code traceparent} is stored, queued, and explained later by a worker that takes the item from
 * PostgreSQL; every span of that work is in the record's trace, with the parents the queue carried.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class TracingIT {
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    @Inject
    InMemorySpanExporter spans;

    @Inject
    ExplanationPolicy policy;

    @Inject
    AgroalDataSource dataSource;

    private static SpanData only(List<SpanData> spans, String name) {
        List<SpanData> named = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named '%s' in %s", name, spans.stream().map(SpanData::getName).toList()).hasSize(1);
        return named.get(0);
    }

    private static String traceparent(String traceId, SpanData span) {
        return "00-" + traceId + "-" + span.getSpanId() + "-01";
    }

    @Test
    void aPredictionsStorageAndItsExplanationsFromTheQueueAreOneTrace() throws Exception {
        Map<String, RegistryFixture.Version> models = RegistryFixture.standardModels("lenet");
        List<String> methods = policy.methods("lenet");
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String id = "traced-" + UUID.randomUUID();
        byte[] prediction;
        try (ModelScorer lenet = models.get("lenet").open()) {
            prediction = Json.write(ExplainerTestSupport.predict(lenet, id, 5, true, Instant.now()));
        }
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.PREDICTIONS, id, prediction, new RecordHeader(Topics.HEADER_TRACEPARENT,
                    ("00-" + traceId + "-" + CALLER_SPAN + "-01").getBytes(StandardCharsets.UTF_8)));
        }
        List<ConsumerRecord<String, byte[]>> events = KafkaTestClient.readByKey(Topics.EXPLANATIONS, id::equals,
                methods.size(), Duration.ofSeconds(120), Duration.ofSeconds(1));
        assertThat(events).hasSize(methods.size());

        // consumer span and per method: explain, store, publish
        int expected = 1 + 3 * methods.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> inTrace(traceId).size() >= expected);
        List<SpanData> trace = inTrace(traceId);

        SpanData consumer = only(trace, Topics.PREDICTIONS + " process");
        assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(consumer.getParentSpanId()).as("the inference span that sent the record").isEqualTo(CALLER_SPAN);
        // the batch's transaction: the child of its first record's span, linked to the others' (this record may share
        // a poll with another test's)
        SpanData stored = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(PredictionBatchConsumer.STORE_SPAN))
                .filter(s -> s.getParentSpanId().equals(consumer.getSpanId()) || s.getLinks().stream()
                        .anyMatch(l -> l.getSpanContext().getSpanId().equals(consumer.getSpanId())))
                .findFirst().orElseThrow(() -> new AssertionError("no '" + PredictionBatchConsumer.STORE_SPAN
                        + "' span under or linked to the consumer span"));
        assertThat(stored.getEndEpochNanos()).isLessThanOrEqualTo(consumer.getEndEpochNanos());
        long committed = stored.getEvents().stream().filter(e -> e.getName().equals(PredictionBatchConsumer.COMMITTED_EVENT))
                .mapToLong(EventData::getEpochNanos).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + PredictionBatchConsumer.COMMITTED_EVENT + "' event"));

        List<String> published = new ArrayList<>();
        for (String method : methods) {
            SpanData explain = only(trace, ExplanationWorkers.EXPLAIN_SPAN_PREFIX + method);
            assertThat(explain.getParentSpanId()).as("%s: restored from the queue", method).isEqualTo(consumer.getSpanId());
            // after the commit, not after the span's end: the span ends after the wake-up that starts the worker
            assertThat(explain.getStartEpochNanos()).as("%s: explained after the batch was stored", method)
                    .isGreaterThanOrEqualTo(committed);
            assertThat(explain.getAttributes().asMap().toString()).contains(id);
            List<SpanData> children = trace.stream().filter(s -> s.getParentSpanId().equals(explain.getSpanId())).toList();
            assertThat(children).extracting(SpanData::getName).containsExactlyInAnyOrder(ExplanationWorkers.STORE_SPAN,
                    Topics.EXPLANATIONS + " publish");
            SpanData publish = children.stream().filter(s -> s.getKind() == SpanKind.PRODUCER).findFirst().orElseThrow();
            published.add(traceparent(traceId, publish));
        }
        // each ExplanationStored record names its publish span
        assertThat(events).extracting(r -> KafkaTestClient.header(r, Topics.HEADER_TRACEPARENT))
                .containsExactlyInAnyOrderElementsOf(published);

        // the queue carried the consumer span's context (V4: the prediction row keeps it too)
        try (Connection c = dataSource.getConnection()) {
            assertThat(column(c, "SELECT traceparent FROM xai.prediction WHERE request_id = ?", id))
                    .containsExactly(traceparent(traceId, consumer));
            assertThat(column(c, "SELECT traceparent FROM xai.explanation_work WHERE request_id = ?", id))
                    .hasSize(methods.size()).containsOnly(traceparent(traceId, consumer));
        }
    }

    private List<SpanData> inTrace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    private static List<String> column(Connection c, String sql, String id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            List<String> values = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        }
    }
}
