package dev.fmnist.explainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.explainer.service.ExplanationPolicy;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import dev.fmnist.testsupport.fault.DatabaseProxyTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away for about 10 s while predictions arrive (the service reaches it through a
 * {@link dev.fmnist.testsupport.fault.TcpProxy} that the test cuts): the consumer waits and retries, and once the database is back
 * every prediction and every explanation it asked for is stored exactly once, and nothing went to the
 * DLQ. The test's own queries go to the database directly.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = DatabaseProxyTestResource.class, scope = TestResourceScope.GLOBAL)
class DatabaseOutageIT {
    private static final int BEFORE = 6;
    private static final int DURING = 20;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ExplanationPolicy policy;

    @Test
    void predictionsArrivingWhileTheDatabaseIsDownAreStoredOnceItIsBack() throws Exception {
        RegistryFixture.Version lenet = RegistryFixture.standardModels("lenet", "xgboost").get("lenet");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200).body("checks.find { it.name == 'Model registry' }.data.lenet",
                        org.hamcrest.Matchers.startsWith("version " + lenet.version() + " loaded")));
        assertThat(DatabaseProxyTestResource.accepted()).as("the service reaches the database through the proxy")
                .isPositive();
        double rate = ConfigProvider.getConfig().getValue("explainer.sample-rate", Double.class);
        String prefix = "outage-" + UUID.randomUUID() + "-";
        Map<String, byte[]> records = new HashMap<>();
        List<String> ids = new ArrayList<>();
        int expectedExplanations = 0;
        try (ModelScorer scorer = lenet.open()) {
            for (int i = 0; i < BEFORE + DURING; i++) {
                String id = prefix + i;
                boolean explain = i % 4 == 0;
                records.put(id, Json.write(ExplainerTestSupport.predict(scorer, id, i, explain, Instant.now())));
                ids.add(id);
                if (explain || ExplanationPolicy.sampled(id, rate)) {
                    expectedExplanations += policy.methods("lenet").size();
                }
            }
        }
        double retriesBefore = metric("explainer_db_retries_total");

        try (KafkaTestClient kafka = new KafkaTestClient()) {
            for (String id : ids.subList(0, BEFORE)) {
                kafka.send(Topics.PREDICTIONS, id, records.get(id));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count("xai.prediction", prefix) == BEFORE);

            DatabaseProxyTestResource.cut(true);
            try {
                assertThatThrownBy(() -> {
                    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                        s.execute("SELECT 1");
                    }
                }).as("the service's pool cannot reach the database during the cut").isInstanceOf(SQLException.class);
                long cutUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                int sent = 0;
                for (String id : ids.subList(BEFORE, ids.size())) {
                    kafka.send(Topics.PREDICTIONS, id, records.get(id));
                    sent++;
                    Thread.sleep(Math.max(0, (cutUntil - System.nanoTime()) / 1_000_000 / (DURING - sent + 1)));
                }
                Thread.sleep(Math.max(0, (cutUntil - System.nanoTime()) / 1_000_000));
                assertThat(count("xai.prediction", prefix)).as("nothing stored while the database is away")
                        .isEqualTo(BEFORE);
                assertThat(metric("explainer_db_unavailable")).as("an outage is reported").isEqualTo(1.0);
            } finally {
                DatabaseProxyTestResource.cut(false);
            }
        }

        int explanations = expectedExplanations;
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                count("xai.prediction", prefix) == BEFORE + DURING && count("xai.explanation", prefix) >= explanations);
        ExplainerTestSupport.awaitOffsetsCommitted("explainer-service", Topics.PREDICTIONS,
                KafkaBrokerTestResource.partitions(Topics.PREDICTIONS));
        assertThat(count("xai.prediction", prefix)).isEqualTo(BEFORE + DURING);
        assertThat(count("xai.explanation", prefix)).isEqualTo(explanations);
        assertThat(distinctSucceeded(prefix)).as("every explanation succeeded, once").isEqualTo(explanations);
        assertThat(KafkaTestClient.readByKey(Topics.PREDICTIONS_DLQ, k -> k.startsWith(prefix), 1,
                Duration.ofSeconds(3), Duration.ZERO)).as("dead letters").isEmpty();
        assertThat(metric("explainer_db_retries_total")).as("writes were retried").isGreaterThan(retriesBefore);
        assertThat(metric("explainer_db_unavailable")).isEqualTo(0.0);
        given().get("/q/health/ready").then().statusCode(200);
    }

    private static int count(String table, String prefix) throws SQLException {
        try (Connection c = PostgresDatabaseTestResource.database().connect();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE request_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static int distinctSucceeded(String prefix) throws SQLException {
        try (Connection c = PostgresDatabaseTestResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(DISTINCT (request_id, model_name, model_version, method)) FROM xai.explanation "
                        + "WHERE request_id LIKE ? AND status = 'succeeded'")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
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
