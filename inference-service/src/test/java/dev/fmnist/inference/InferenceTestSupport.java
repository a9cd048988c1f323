package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What several integration tests share: test images, readiness, reading results back by request id. */
public final class InferenceTestSupport {
    private static LabelledImages testImages;

    private InferenceTestSupport() {
    }

    public static synchronized LabelledImages testImages() {
        if (testImages == null) {
            testImages = FashionMnist.load().test().head(3000);
        }
        return testImages;
    }

    /** Registers the standard models (once) and waits until the service serves all three. */
    public static Map<String, RegistryFixture.Version> standardModelsReady() {
        Map<String, RegistryFixture.Version> models = RegistryFixture.standardModels();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (String name : List.of("cnn", "lenet", "xgboost")) {
                if (given().get("/v2/models/" + name + "/ready").statusCode() != 200) {
                    return false;
                }
            }
            return given().get("/v2/health/ready").statusCode() == 200;
        });
        return models;
    }

    public static byte[] request(String id, int image, String model) {
        LabelledImages images = testImages();
        return Json.write(new ScoreRequest(id, images.image(image), model, image % 2 == 0, Instant.now(),
                images.label(image)));
    }

    /**
     * Records of {@code topic} whose key passes {@code keys}, read from the beginning by one consumer
     * until {@code expected} arrived or the time is up, plus what arrives within {@code settle} after.
     */
    public static List<ConsumerRecord<String, byte[]>> readByKey(String topic, Predicate<String> keys, int expected,
                                                                 Duration timeout) {
        return readByKey(topic, keys, expected, timeout, Duration.ofMillis(500));
    }

    public static List<ConsumerRecord<String, byte[]>> readByKey(String topic, Predicate<String> keys, int expected,
                                                                 Duration timeout, Duration settle) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && keys.test(r.key())) {
                        out.add(r);
                    }
                }
                if (out.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return out;
    }

    /** Predictions for the given request ids, grouped by id. */
    public static Map<String, List<Prediction>> predictions(Set<String> ids, int expected, Duration timeout) {
        Map<String, List<Prediction>> byId = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readByKey(Topics.PREDICTIONS, ids::contains, expected, timeout)) {
            byId.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Json.read(r.value(), Prediction.class));
        }
        return byId;
    }

    public static String base64(byte[] pixels) {
        return Pixels.toBase64(pixels);
    }
}
