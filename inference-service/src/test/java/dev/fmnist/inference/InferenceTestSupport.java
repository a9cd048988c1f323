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
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.RegistryFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

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

    /** Registers the standard models (once) and waits until the service serves all four. */
    public static Map<String, RegistryFixture.Version> standardModelsReady() {
        Map<String, RegistryFixture.Version> models = RegistryFixture.standardModels("cnn", "lenet", "xgboost", "forest");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (String name : List.of("cnn", "lenet", "xgboost", "forest")) {
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

    /** Predictions for the given request ids, grouped by id. */
    public static Map<String, List<Prediction>> predictions(Set<String> ids, int expected, Duration timeout) {
        Map<String, List<Prediction>> byId = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : KafkaTestClient.readByKey(Topics.PREDICTIONS, ids::contains, expected, timeout)) {
            byId.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Json.read(r.value(), Prediction.class));
        }
        return byId;
    }

    public static String base64(byte[] pixels) {
        return Pixels.toBase64(pixels);
    }
}
