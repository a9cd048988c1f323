package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.inference.messaging.ImageBatchConsumer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The first test class of the JVM: the service starts before the registry schema or any model
 * exists, stays not ready and does not consume images, and starts serving as soon as a model is
 * registered and announced. Requests sent meanwhile are not lost.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
@Order(1)
class StartupIT {

    @Test
    void notReadyWithoutModelsThenServesWhatIsRegisteredWithoutLosingEarlyRequests() {
        // no registry schema yet, nothing loaded: not ready, images not consumed
        given().get("/v2/health/ready").then().statusCode(503).body("ready", equalTo(false));
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'Models' }.status", equalTo("DOWN"));
        given().get("/v2/models/lenet/ready").then().statusCode(503).body("ready", equalTo(false));
        given().get("/v2/models/lenet").then().statusCode(503).body("error", equalTo("model 'lenet' has no loaded version yet"));

        String early = "early-" + UUID.randomUUID();
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.IMAGES, early, InferenceTestSupport.request(early, 0, "lenet"));
        }

        // the registry appears (the trainer's migration), still empty: still not ready
        RegistryFixture.migrate();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> given().get("/v2/health/ready").statusCode() == 503);

        // the first model is registered and announced: ready with it, the early request is scored
        RegistryFixture.Version lenet = RegistryFixture.publishIfAbsent("lenet", ModelPublished.FORMAT_ONNX,
                RegistryFixture.onnx("lenet", 10f));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/v2/health/ready").statusCode() == 200);
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Models' }.data.lenet", equalTo("version " + lenet.version() + " on CPU"))
                .body("checks.find { it.name == 'Models' }.data.xgboost",
                        equalTo("no published version in the registry yet; looking again every 500 ms"))
                .body("checks.name", hasItem("Kafka connection health check"));

        Map<String, List<Prediction>> predictions = InferenceTestSupport.predictions(Set.of(early), 1, Duration.ofSeconds(30));
        assertThat(predictions.get(early)).singleElement()
                .satisfies(p -> assertThat(p.model().version()).isEqualTo(lenet.version()));

        // a request for a configured model without a version yet goes to the dead-letter topic
        String tooEarly = "too-early-" + UUID.randomUUID();
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.IMAGES, tooEarly, InferenceTestSupport.request(tooEarly, 1, "xgboost"));
        }
        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClient.readByKey(Topics.IMAGES_DLQ, tooEarly::equals, 1,
                Duration.ofSeconds(30));
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(KafkaTestClient.header(r, Topics.HEADER_ERROR_CLASS)).isEqualTo(ImageBatchConsumer.MODEL_UNAVAILABLE);
            assertThat(KafkaTestClient.header(r, Topics.HEADER_ERROR_MESSAGE)).contains("xgboost");
            assertThat(Json.read(r.value(), dev.fmnist.common.messaging.ScoreRequest.class).id()).isEqualTo(tooEarly);
        });

        // the other models follow; every model serves
        InferenceTestSupport.standardModelsReady();
    }
}
