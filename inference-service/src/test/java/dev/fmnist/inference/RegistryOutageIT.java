package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import dev.fmnist.testsupport.fault.DatabaseProxyTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Serving outlives the registry: the service reaches PostgreSQL through a {@link dev.fmnist.testsupport.fault.TcpProxy}
 * that the test cuts once the models are loaded. While it is cut, OIP and Kafka requests are scored, the
 * service stays ready ({@code /q/health/ready}, the Kubernetes probe's {@code /q/health/group/models} and
 * OIP's {@code /v2/health/ready}) and reports the registry as degraded ({@code /q/health/group/registry},
 * the readiness data, {@code inference_registry_reachable}); a version published meanwhile is loaded once the
 * proxy is restored, and so is one published afterwards (hot reload resumes). The test's own registry writes
 * go to the database directly.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = DatabaseProxyTestResource.class, scope = TestResourceScope.GLOBAL)
@Order(Integer.MAX_VALUE) // last: it moves lenet to new versions
class RegistryOutageIT {
    private static final String BODY = Json.writeString(Map.of("inputs", List.of(Map.of("name", "image",
            "shape", List.of(1, 784), "datatype", "UINT8", "data", Collections.nCopies(784, 7)))));

    @Test
    void servingOutlivesTheRegistryAndHotReloadResumesWhenItIsBack() {
        InferenceTestSupport.standardModelsReady();
        int before = Integer.parseInt(given().get("/v2/models/lenet").then().statusCode(200).extract()
                .jsonPath().getList("versions", String.class).get(0));
        assertThat(DatabaseProxyTestResource.accepted()).as("the service reaches the database through the proxy")
                .isPositive();
        given().get("/q/health/group/registry").then().statusCode(200)
                .body("checks.find { it.name == 'Model registry' }.data.registry", equalTo("reachable"));
        assertThat(metric("inference_registry_reachable")).isEqualTo(1.0);

        RegistryFixture.Version during;
        DatabaseProxyTestResource.cut(true);
        try {
            // the next registry check fails: reported as degraded, nothing else changes
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> given().get("/q/health/group/registry").statusCode() == 503);
            // a version published while the service cannot read the registry (announced on fmnist.models)
            during = RegistryFixture.publish("lenet", ModelPublished.FORMAT_ONNX, RegistryFixture.onnx("lenet", 30f));

            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            int round = 0;
            do {
                servesAndIsReadyWhileDegraded(before, round++);
            } while (System.nanoTime() < until);
            assertThat(round).as("rounds of checks during the outage").isGreaterThanOrEqualTo(2);
            assertThat(metric("inference_registry_reachable")).isEqualTo(0.0);
        } finally {
            DatabaseProxyTestResource.cut(false);
        }

        // back: the version published during the outage is loaded without a new announcement
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                given().get("/v2/models/lenet/versions/" + during.version() + "/ready").statusCode() == 200);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            given().get("/q/health/group/registry").then().statusCode(200)
                    .body("checks.find { it.name == 'Model registry' }.status", equalTo("UP"))
                    .body("checks.find { it.name == 'Model registry' }.data.registry", equalTo("reachable"));
            assertThat(metric("inference_registry_reachable")).isEqualTo(1.0);
            given().get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'Models' }.data.registry", equalTo(null))
                    .body("checks.find { it.name == 'Models' }.data.lenet", equalTo("version " + during.version() + " on CPU"));
        });

        // and a version published afterwards by hot reload, as ever
        RegistryFixture.Version after = RegistryFixture.publish("lenet", ModelPublished.FORMAT_ONNX,
                RegistryFixture.onnx("lenet", 40f));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                given().get("/v2/models/lenet/versions/" + after.version() + "/ready").statusCode() == 200);
        given().contentType("application/json").body(BODY).post("/v2/models/lenet/infer").then().statusCode(200)
                .body("model_version", equalTo(Integer.toString(after.version())));
        given().get("/v2/models/lenet").then().statusCode(200).body("versions", contains(Integer.toString(after.version())));
    }

    /** One round of checks while the registry is away: every readiness endpoint, OIP and Kafka scoring, the report. */
    private static void servesAndIsReadyWhileDegraded(int version, int round) {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Models' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Models' }.data.registry", startsWith("unreachable since "))
                .body("checks.find { it.name == 'Models' }.data.lenet", startsWith("version " + version + " on CPU"));
        given().get("/q/health/group/models").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
        JsonPath registry = given().get("/q/health/group/registry").then().statusCode(503).extract().jsonPath();
        assertThat(registry.getString("checks.find { it.name == 'Model registry' }.status")).isEqualTo("DOWN");
        assertThat(registry.getString("checks.find { it.name == 'Model registry' }.data.registry"))
                .startsWith("unreachable since ");
        assertThat(registry.getString("checks.find { it.name == 'Model registry' }.data.state")).isEqualTo("degraded");

        given().contentType("application/json").body(BODY).post("/v2/models/lenet/infer").then().statusCode(200)
                .body("model_version", equalTo(Integer.toString(version)));

        String id = "outage-" + round + "-" + UUID.randomUUID();
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.IMAGES, id, InferenceTestSupport.request(id, round, "lenet"));
        }
        Map<String, List<Prediction>> predictions = InferenceTestSupport.predictions(Set.of(id), 1, Duration.ofSeconds(30));
        assertThat(predictions.get(id)).as("prediction of " + id).singleElement()
                .satisfies(p -> assertThat(p.model().version()).isEqualTo(version));
    }

    /** The sum of a metric's series on /q/metrics (0 when absent). */
    private static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^" + name + "(\\{.*})? (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }
}
