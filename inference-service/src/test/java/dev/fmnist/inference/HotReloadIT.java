package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A new lenet version is published while images stream in over Kafka and over HTTP: no request
 * is lost or fails, and every prediction names the version whose output it carries.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
@Order(Integer.MAX_VALUE - 1) // last but RegistryOutageIT: it moves lenet to a new version
class HotReloadIT {

    @Test
    void swapUnderLoadLosesNothingAndEveryPredictionNamesItsVersion() throws Exception {
        Map<String, RegistryFixture.Version> models = InferenceTestSupport.standardModelsReady();
        RegistryFixture.Version old = models.get("lenet");
        LabelledImages images = InferenceTestSupport.testImages();
        String prefix = "reload-" + UUID.randomUUID() + "-";
        int total = 1500;
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean streaming = new AtomicBoolean(true);
        List<String> httpVersions = new CopyOnWriteArrayList<>();
        List<String> httpFailures = new CopyOnWriteArrayList<>();
        String body = Json.writeString(Map.of("inputs", List.of(Map.of("name", "image", "shape", List.of(1, 784),
                "datatype", "UINT8", "data", Collections.nCopies(784, 7)))));

        ExecutorService pool = Executors.newFixedThreadPool(2);
        RegistryFixture.Version next;
        try {
            // Kafka: 1,500 requests at about 1,000 per second
            Future<?> kafkaLoop = pool.submit(() -> {
                try (KafkaTestClient kafka = new KafkaTestClient()) {
                    for (int i = 0; i < total; i++) {
                        kafka.sendAsync(Topics.IMAGES, prefix + i, InferenceTestSupport.request(prefix + i, i, "lenet"));
                        sent.incrementAndGet();
                        if (i % 50 == 49) {
                            kafka.flush();
                            Thread.sleep(50);
                        }
                    }
                    kafka.flush();
                }
                return null;
            });
            // HTTP: one call after the other; every call must succeed
            Future<?> httpLoop = pool.submit(() -> {
                while (streaming.get()) {
                    io.restassured.response.Response r = given().contentType("application/json").body(body)
                            .post("/v2/models/lenet/infer");
                    if (r.statusCode() == 200) {
                        httpVersions.add(r.jsonPath().getString("model_version"));
                    } else {
                        httpFailures.add(r.statusCode() + " " + r.asString());
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() >= total / 3);
            next = RegistryFixture.publish("lenet", ModelPublished.FORMAT_ONNX, RegistryFixture.onnx("lenet", 25f));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> given().get("/v2/models/lenet/versions/" + next.version() + "/ready").statusCode() == 200);
            kafkaLoop.get();
            Thread.sleep(500);
            streaming.set(false);
            httpLoop.get();
        } finally {
            streaming.set(false);
            pool.shutdownNow();
        }

        Set<String> ids = IntStream.range(0, total).mapToObj(i -> prefix + i).collect(Collectors.toSet());
        Map<String, List<Prediction>> byId = InferenceTestSupport.predictions(ids, total, Duration.ofSeconds(90));
        assertThat(byId.keySet()).as("every request has a prediction").containsExactlyInAnyOrderElementsOf(ids);
        assertThat(KafkaTestClient.readByKey(Topics.IMAGES_DLQ, k -> k.startsWith(prefix), 1, Duration.ofSeconds(2)))
                .as("no request failed").isEmpty();

        Set<Integer> versions = new HashSet<>();
        try (ModelScorer v1 = old.open(); ModelScorer v2 = next.open()) {
            for (Map.Entry<String, List<Prediction>> e : byId.entrySet()) {
                int image = Integer.parseInt(e.getKey().substring(prefix.length()));
                float[] input = Pixels.toModelInput(images.image(image));
                for (Prediction p : e.getValue()) {
                    int version = p.model().version();
                    assertThat(version).isIn(old.version(), next.version());
                    versions.add(version);
                    float[] want = (version == old.version() ? v1 : v2).score(input, 1);
                    assertThat(p.probabilities()).as(e.getKey() + " scored by " + p.model())
                            .containsExactly(want, within(1e-5f));
                }
            }
        }
        assertThat(versions).as("both versions scored part of the stream").containsExactlyInAnyOrder(old.version(),
                next.version());

        assertThat(httpFailures).as("HTTP calls during the swap").isEmpty();
        assertThat(httpVersions).contains(Integer.toString(next.version()));
        given().get("/v2/models/lenet").then().statusCode(200).body("versions", contains(Integer.toString(next.version())));
        given().get("/v2/models/lenet/versions/" + old.version() + "/ready").then().statusCode(404);
    }
}
