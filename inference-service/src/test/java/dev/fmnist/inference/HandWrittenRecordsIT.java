package dev.fmnist.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract as people write it, from outside: records typed by hand (raw strings, sent by a plain
 * {@link KafkaProducer} with String serializers as Kafka's console producer sends them: no project
 * code, no headers, no key unless given) are scored when they carry only {@code id} and {@code image};
 * a malformed one lands on the dead-letter topic with SmallRye's standard headers and a reason that
 * names the field.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class HandWrittenRecordsIT {

    @BeforeEach
    void ready() {
        InferenceTestSupport.standardModelsReady();
    }

    private static KafkaProducer<String, String> consoleLikeProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        return KafkaTestClient.header(r, name);
    }

    @Test
    void recordsWithOnlyIdAndImageAreScoredAndAMalformedOneIsDeadLetteredWithSmallRyesHeaders() throws Exception {
        String p = "by-hand-" + UUID.randomUUID() + "-";
        String pixels = Base64.getEncoder().encodeToString(InferenceTestSupport.testImages().image(3));
        String minimal = "{\"id\": \"" + p + "minimal\", \"image\": \"" + pixels + "\"}";
        String issue = "{\"id\": \"" + p + "lenet\", \"image\": \"" + pixels + "\", \"model\": \"lenet\"}";
        String yes = "{\"id\": \"" + p + "yes\", \"image\": \"" + pixels + "\", \"explain\": \"yes\"}";
        String notBase64 = "{\"id\": \"" + p + "b64\", \"image\": \"(not base64)\"}";
        Instant before = Instant.now();
        try (KafkaProducer<String, String> producer = consoleLikeProducer()) {
            // the console producer's default: no key
            producer.send(new ProducerRecord<>(Topics.IMAGES, minimal)).get();
            producer.send(new ProducerRecord<>(Topics.IMAGES, issue)).get();
            // with parse.key=true: keyed, so the dead letters can be found by key
            producer.send(new ProducerRecord<>(Topics.IMAGES, p + "yes", yes)).get();
            producer.send(new ProducerRecord<>(Topics.IMAGES, p + "b64", notBase64)).get();
        }

        Map<String, List<Prediction>> predictions = InferenceTestSupport.predictions(
                Set.of(p + "minimal", p + "lenet"), 4, Duration.ofSeconds(60));
        // {"id", "image"}: model all (the three served models), explain false, submittedAt the record's timestamp
        assertThat(predictions.get(p + "minimal")).extracting(pr -> pr.model().name())
                .containsExactlyInAnyOrder("cnn", "lenet", "xgboost", "forest");
        assertThat(predictions.get(p + "minimal")).allSatisfy(pr -> {
            assertThat(pr.explain()).isFalse();
            assertThat(pr.trueLabel()).isNull();
            assertThat(pr.scoredAt()).isAfterOrEqualTo(before.minusSeconds(1));
            assertThat(pr.latencyMs()).isGreaterThanOrEqualTo(0);
        });
        // the issue's record: {"id", "image", "model": "lenet"}, no explain
        assertThat(predictions.get(p + "lenet")).singleElement()
                .satisfies(pr -> {
                    assertThat(pr.model().name()).isEqualTo("lenet");
                    assertThat(pr.explain()).isFalse();
                });

        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClient.readByKey(Topics.IMAGES_DLQ,
                k -> k.startsWith(p), 2, Duration.ofSeconds(60), Duration.ofSeconds(1));
        assertThat(dead).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(p + "yes", p + "b64");
        ConsumerRecord<String, byte[]> yesDead = dead.stream().filter(r -> r.key().equals(p + "yes")).findFirst().orElseThrow();
        ConsumerRecord<String, byte[]> b64Dead = dead.stream().filter(r -> r.key().equals(p + "b64")).findFirst().orElseThrow();

        assertThat(new String(yesDead.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(yes);
        assertThat(header(yesDead, "dead-letter-reason")).isEqualTo("field 'explain': expected true or false, got \"yes\"");
        assertThat(header(yesDead, "dead-letter-exception-class-name"))
                .isEqualTo("dev.fmnist.common.messaging.InvalidMessageException");
        assertThat(header(yesDead, "dead-letter-cause")).isNull();
        assertThat(header(yesDead, "dead-letter-topic")).isEqualTo("fmnist.images");
        assertThat(header(yesDead, "dead-letter-partition")).matches("\\d+");
        assertThat(header(yesDead, "dead-letter-offset")).matches("\\d+");
        assertThat(header(yesDead, "error-class")).isEqualTo("invalid-field");
        assertThat(header(yesDead, "error-message")).isEqualTo(header(yesDead, "dead-letter-reason"));

        assertThat(header(b64Dead, "dead-letter-reason")).startsWith("field 'image': expected base64 of 784 raw pixels"
                + " (28x28 uint8) or of a PNG/JPEG file, got text that is not valid base64");
        assertThat(header(b64Dead, "dead-letter-cause")).startsWith("Illegal base64 character");
        assertThat(header(b64Dead, "error-class")).isEqualTo("invalid-image");
        assertThat(header(b64Dead, "dead-letter-exception-class-name"))
                .isEqualTo("dev.fmnist.common.messaging.InvalidMessageException");
    }
}
