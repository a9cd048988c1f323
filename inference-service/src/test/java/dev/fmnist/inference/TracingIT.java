package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One trace per request (docs/architecture.md, "Tracing"): a Kafka request and an OIP request, each sent with a
 * known W3C {@code traceparent}, and the spans the service made for them, caught by an in-memory exporter.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class TracingIT {
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void ready() {
        InferenceTestSupport.standardModelsReady();
    }

    private static String newTraceId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private List<SpanData> trace(String traceId, int atLeast) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).count() >= atLeast);
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + spans.stream().map(SpanData::getName).toList()));
    }

    @Test
    void aKafkaRequestIsOneTraceFromItsRecordToItsPrediction() throws Exception {
        String traceId = newTraceId();
        String id = "traced-" + UUID.randomUUID();
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.IMAGES, id, InferenceTestSupport.request(id, 3, "lenet"), new RecordHeader(
                    Topics.HEADER_TRACEPARENT, ("00-" + traceId + "-" + CALLER_SPAN + "-01").getBytes(StandardCharsets.UTF_8)));
        }
        List<ConsumerRecord<String, byte[]>> predictions = KafkaTestClient.readByKey(Topics.PREDICTIONS, id::equals, 1,
                Duration.ofSeconds(60), Duration.ofSeconds(1));

        List<SpanData> trace = trace(traceId, 2);
        SpanData consumer = named(trace, "fmnist.images process");
        assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(consumer.getParentSpanId()).as("the caller's span is the parent").isEqualTo(CALLER_SPAN);
        assertThat(consumer.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
                .isEqualTo(Topics.IMAGES);
        assertThat(consumer.getAttributes().get(AttributeKey.stringKey("messaging.kafka.consumer.group")))
                .isEqualTo("inference-service");
        assertThat(consumer.getAttributes().get(AttributeKey.stringKey("messaging.kafka.message.key"))).isEqualTo(id);
        SpanData score = named(trace, "score lenet");
        assertThat(score.getParentSpanId()).as("the model call is the consumer span's child").isEqualTo(consumer.getSpanId());
        assertThat(score.getAttributes().get(AttributeKey.stringKey("fmnist.source"))).isEqualTo("kafka");
        assertThat(score.getAttributes().get(AttributeKey.longKey("fmnist.batch.size"))).isEqualTo(1L);
        // the prediction carries the consumer span: the explainer's spans join this trace under it
        assertThat(KafkaTestClient.header(predictions.get(0), Topics.HEADER_TRACEPARENT))
                .isEqualTo("00-" + traceId + "-" + consumer.getSpanId() + "-01");
    }

    @Test
    void anOipRequestIsOneTraceFromItsHttpSpanToItsModelCall() {
        String traceId = newTraceId();
        given().contentType(ContentType.JSON).header("traceparent", "00-" + traceId + "-" + CALLER_SPAN + "-01")
                .body(Map.of("inputs", List.of(Map.of("name", "image", "shape", List.of(1, 784), "datatype", "UINT8",
                        "data", Collections.nCopies(784, 0)))))
                .post("/v2/models/xgboost/infer").then().statusCode(200);

        List<SpanData> trace = trace(traceId, 2);
        SpanData server = trace.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst()
                .orElseThrow(() -> new AssertionError("no server span in " + trace.stream().map(SpanData::getName).toList()));
        assertThat(server.getName()).isEqualTo("POST /v2/models/{model}/infer");
        assertThat(server.getParentSpanId()).as("the caller's span is the parent").isEqualTo(CALLER_SPAN);
        SpanData score = named(trace, "score xgboost");
        assertThat(score.getParentSpanId()).as("the model call is the server span's child").isEqualTo(server.getSpanId());
        assertThat(score.getAttributes().get(AttributeKey.stringKey("fmnist.source"))).isEqualTo("http");
        assertThat(score.getAttributes().get(AttributeKey.longKey("fmnist.model.version"))).isPositive();
    }
}
