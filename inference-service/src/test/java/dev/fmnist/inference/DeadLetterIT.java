package dev.fmnist.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.inference.messaging.ImageBatchConsumer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Poison and invalid records go to fmnist.images.dlq, unchanged and with the reason; the valid ones around them still score. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class DeadLetterIT {
    private static final String TRACED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @BeforeEach
    void ready() {
        InferenceTestSupport.standardModelsReady();
    }

    /** One bad record: its value and the error-class it must get. */
    record Bad(byte[] value, String errorClass, String messagePart) {
        static Bad of(String json, Reason reason, String messagePart) {
            return new Bad(json.getBytes(StandardCharsets.UTF_8), reason.code(), messagePart);
        }
    }

    @Test
    void everyKindOfBadRecordIsDeadLetteredWithItsReasonWhileValidOnesScore() {
        String p = "dlq-" + UUID.randomUUID() + "-";
        String pixels = Base64.getEncoder().encodeToString(InferenceTestSupport.testImages().image(0));
        String ok = "\"image\":\"" + pixels + "\",\"model\":\"lenet\",\"explain\":false";
        String corruptPng = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H'});
        Map<String, Bad> bad = new LinkedHashMap<>();
        bad.put(p + "empty", new Bad(new byte[0], Reason.INVALID_JSON.code(), "empty record"));
        bad.put(p + "not-json", Bad.of("hello, inference", Reason.INVALID_JSON, "not valid JSON at line 1"));
        bad.put(p + "array", Bad.of("[1, 2, 3]", Reason.INVALID_JSON, "expected a JSON object (a ScoreRequest), got an array"));
        bad.put(p + "null", Bad.of("null", Reason.INVALID_JSON, "null record"));
        bad.put(p + "truncated", Bad.of("{\"id\":\"x\",\"image\":\"" + pixels.substring(0, 20), Reason.INVALID_JSON, "not valid JSON"));
        bad.put(p + "no-id", Bad.of("{" + ok + "}", Reason.INVALID_FIELD, "field 'id' is missing"));
        bad.put(p + "long-id", Bad.of("{\"id\":\"" + "x".repeat(201) + "\"," + ok + "}", Reason.INVALID_FIELD, "got a string of 201 characters"));
        bad.put(p + "no-image", Bad.of("{\"id\":\"a\",\"model\":\"lenet\",\"explain\":false}", Reason.INVALID_IMAGE, "field 'image' is missing"));
        bad.put(p + "not-base64", Bad.of("{\"id\":\"a\",\"image\":\"@@@not base64@@@\",\"model\":\"lenet\",\"explain\":true}",
                Reason.INVALID_IMAGE, "not valid base64"));
        bad.put(p + "short-image", Bad.of("{\"id\":\"a\",\"image\":\"" + Base64.getEncoder().encodeToString(new byte[100])
                + "\",\"model\":\"lenet\",\"explain\":false}", Reason.INVALID_IMAGE, "100 bytes"));
        bad.put(p + "corrupt-png", Bad.of("{\"id\":\"a\",\"image\":\"" + corruptPng + "\",\"model\":\"lenet\",\"explain\":false}",
                Reason.INVALID_IMAGE, "could not be decoded"));
        bad.put(p + "unknown-model", Bad.of("{\"id\":\"a\",\"image\":\"" + pixels + "\",\"model\":\"resnet\",\"explain\":false}",
                Reason.UNKNOWN_MODEL, "resnet"));
        bad.put(p + "bad-label", Bad.of("{\"id\":\"a\"," + ok + ",\"trueLabel\":12}", Reason.INVALID_FIELD, "trueLabel"));
        bad.put(p + "bad-time", Bad.of("{\"id\":\"a\"," + ok + ",\"submittedAt\":\"yesterday\"}", Reason.INVALID_FIELD, "field 'submittedAt'"));
        bad.put(p + "bad-explain", Bad.of("{\"id\":\"a\",\"image\":\"" + pixels + "\",\"model\":\"lenet\",\"explain\":\"maybe\"}", Reason.INVALID_FIELD,
                "field 'explain': expected true or false, got \"maybe\""));
        // no model, no explain, null explain: valid now (defaults), see HandWrittenRecordsIT

        int valid = 12;
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            int v = 0;
            for (Map.Entry<String, Bad> e : bad.entrySet()) {
                kafka.sendAsync(Topics.IMAGES, e.getKey(), e.getValue().value());
                if (v < valid) {
                    String id = p + "valid-" + v;
                    kafka.send(Topics.IMAGES, id, InferenceTestSupport.request(id, v, "lenet"),
                            new RecordHeader(Topics.HEADER_TRACEPARENT, "00-abc-def-01".getBytes(StandardCharsets.UTF_8)));
                    v++;
                }
            }
            kafka.flush();
        }
        // a poison record's dead letter stays in its trace: a child of the record's context (its consumer span)
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.IMAGES, p + "traced", "{oops".getBytes(StandardCharsets.UTF_8),
                    new RecordHeader(Topics.HEADER_TRACEPARENT, TRACED.getBytes(StandardCharsets.UTF_8)));
        }
        bad.put(p + "traced", Bad.of("{oops", Reason.INVALID_JSON, "not valid JSON"));

        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClient.readByKey(Topics.IMAGES_DLQ,
                k -> k.startsWith(p), bad.size(), Duration.ofSeconds(60), Duration.ofSeconds(1));
        Map<String, ConsumerRecord<String, byte[]>> byKey = dead.stream()
                .collect(Collectors.toMap(ConsumerRecord::key, r -> r, (a, b) -> a));
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
        assertThat(dead).hasSize(bad.size());
        bad.forEach((key, b) -> {
            ConsumerRecord<String, byte[]> r = byKey.get(key);
            assertThat(r.value()).as(key + ": the original bytes").isEqualTo(b.value());
            assertThat(KafkaTestClient.header(r, Topics.HEADER_ERROR_CLASS)).as(key).isEqualTo(b.errorClass());
            assertThat(KafkaTestClient.header(r, Topics.HEADER_ERROR_MESSAGE)).as(key).contains(b.messagePart());
            assertThat(KafkaTestClient.header(r, ImageBatchConsumer.HEADER_DLQ_TOPIC)).isEqualTo(Topics.IMAGES);
            assertThat(KafkaTestClient.header(r, ImageBatchConsumer.HEADER_DLQ_OFFSET)).isNotBlank();
            assertThat(KafkaTestClient.header(r, DeadLetterHeaders.REASON)).as(key)
                    .isEqualTo(KafkaTestClient.header(r, Topics.HEADER_ERROR_MESSAGE));
            assertThat(KafkaTestClient.header(r, DeadLetterHeaders.EXCEPTION_CLASS_NAME)).as(key)
                    .isEqualTo(InvalidMessageException.class.getName());
            assertThat(KafkaTestClient.header(r, Topics.HEADER_ERROR_MESSAGE)).as(key)
                    .doesNotContain("com.fasterxml", "Jackson", "DeserializationFeature", "[Source");
        });
        assertThat(KafkaTestClient.header(byKey.get(p + "traced"), Topics.HEADER_TRACEPARENT))
                .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").doesNotContain("00f067aa0ba902b7").endsWith("-01");

        Set<String> validIds = java.util.stream.IntStream.range(0, valid).mapToObj(i -> p + "valid-" + i)
                .collect(Collectors.toSet());
        Map<String, List<Prediction>> predictions = InferenceTestSupport.predictions(validIds, valid, Duration.ofSeconds(30));
        assertThat(predictions.keySet()).containsExactlyInAnyOrderElementsOf(validIds);
        predictions.values().forEach(list -> assertThat(list).singleElement()
                .satisfies(pr -> assertThat(pr.model().name()).isEqualTo("lenet")));
    }
}
