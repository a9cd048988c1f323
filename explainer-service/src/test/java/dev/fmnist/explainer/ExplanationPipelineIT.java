package dev.fmnist.explainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.explainer.messaging.PredictionBatchConsumer;
import dev.fmnist.explainer.service.ExplanationPolicy;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * fmnist.predictions in, rows in schema xai and ExplanationStored events out, through the real
 * broker and database with real (tiny) models from the registry: requested and sampled predictions
 * are explained with every configured method of their model, stale sampled ones are shed, a version
 * missing from the registry gives failed explanations, bad records go to the DLQ while later ones are
 * processed, and a replay adds nothing.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class ExplanationPipelineIT {
    @Inject
    AgroalDataSource dataSource;

    @Inject
    ExplanationPolicy policy;

    @Inject
    ExplainerSettings settings;

    @Inject
    dev.fmnist.explainer.config.ExplainerConfig config;

    /** One explanation row as the test sees it. */
    record Row(String requestId, String model, int version, String method, String status, String reason) {
    }

    @Test
    void predictionsAreStoredExplainedAnnouncedAndAReplayAddsNothing() throws Exception {
        Map<String, RegistryFixture.Version> models = RegistryFixture.standardModels("lenet", "xgboost");
        // hot reload: the versions announced on fmnist.models are loaded ahead of use, readiness names them
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Model registry' }.data.lenet",
                        org.hamcrest.Matchers.startsWith("version " + models.get("lenet").version() + " loaded"))
                .body("checks.find { it.name == 'Model registry' }.data.xgboost",
                        org.hamcrest.Matchers.startsWith("version " + models.get("xgboost").version() + " loaded")));
        double rate = ConfigProvider.getConfig().getValue("explainer.sample-rate", Double.class);
        String prefix = "pipe-" + UUID.randomUUID() + "-";
        List<String> requested = List.of(prefix + "req-0", prefix + "req-1");
        List<String> sampled = ids(prefix + "s-", rate, true, 3);
        List<String> notSampled = ids(prefix + "n-", rate, false, 2);
        String staleSampled = sampled.get(2);
        String staleRequested = prefix + "old-req";
        String missingVersion = prefix + "missing";
        Instant now = Instant.now();
        Instant stale = now.minus(Duration.ofHours(1));

        Map<String, byte[]> valid = new LinkedHashMap<>(); // record key + model -> value
        List<String> keys = new ArrayList<>();
        Map<String, ModelScorer> scorers = new HashMap<>();
        models.forEach((name, v) -> scorers.put(name, v.open()));
        try {
            int image = 0;
            for (String id : concat(requested, sampled, notSampled, List.of(staleRequested))) {
                boolean explain = requested.contains(id) || id.equals(staleRequested);
                Instant scoredAt = id.equals(staleSampled) || id.equals(staleRequested) ? stale : now;
                for (String model : List.of("lenet", "xgboost")) {
                    valid.put(id + "|" + model, Json.write(ExplainerTestSupport.predict(scorers.get(model), id, image,
                            explain, scoredAt)));
                    keys.add(id);
                }
                image++;
            }
            Prediction p = ExplainerTestSupport.predict(scorers.get("lenet"), missingVersion, image, true, now);
            valid.put(missingVersion + "|lenet", Json.write(new Prediction(p.requestId(), new ModelRef("lenet", 999),
                    p.label(), p.className(), p.probabilities(), p.image(), p.scoredAt(), p.latencyMs(), true,
                    p.trueLabel())));
            keys.add(missingVersion);
        } finally {
            scorers.values().forEach(ModelScorer::close);
        }
        float[] twice = new float[10];
        twice[0] = 1f;
        twice[1] = 1f;
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put(prefix + "bad-json", "{oops".getBytes(StandardCharsets.UTF_8));
        bad.put(prefix + "bad-probabilities", Json.write(new Prediction(prefix + "bad-probabilities",
                new ModelRef("lenet", 1), 0, "T-shirt/top", twice, "", now, 1, true, null)));

        send(valid, bad);

        // every valid prediction stored
        int predictions = valid.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> count("xai.prediction", prefix) == predictions);

        // requested and fresh sampled ones explained with every method of their model; the stale sampled one shed;
        // the version missing from the registry failed
        Set<Row> expected = new HashSet<>();
        for (String id : concat(requested, sampled.subList(0, 2), List.of(staleRequested))) {
            String reason = sampled.contains(id) ? "sampled" : "requested";
            for (String model : List.of("lenet", "xgboost")) {
                for (String method : policy.methods(model)) {
                    expected.add(new Row(id, model, models.get(model).version(), method, "succeeded", reason));
                }
            }
        }
        for (String method : policy.methods("lenet")) {
            expected.add(new Row(missingVersion, "lenet", 999, method, "failed", "requested"));
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> count("xai.explanation", prefix) >= expected.size());
        assertThat(rows(prefix)).containsExactlyInAnyOrderElementsOf(expected);
        assertQualityFigures(prefix);
        assertThat(errors(missingVersion)).allSatisfy(e -> assertThat(e).contains("lenet/999 is not in the registry"));
        await().atMost(Duration.ofSeconds(30)).until(() -> shed("lenet", policy.methods("lenet").get(0)) >= 1.0);

        // ExplanationStored for every succeeded explanation, after it was stored
        Map<Long, Row> succeeded = succeededIds(prefix);
        List<ConsumerRecord<String, byte[]>> events = KafkaTestClient.readByKey(Topics.EXPLANATIONS,
                k -> k.startsWith(prefix), succeeded.size(), Duration.ofSeconds(30), Duration.ofMillis(500));
        Set<Long> announced = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : events) {
            ExplanationStored e = Json.read(r.value(), ExplanationStored.class);
            Row row = succeeded.get(e.explanationId());
            assertThat(row).as("event %s names a stored explanation", e).isNotNull();
            assertThat(r.key()).isEqualTo(e.requestId()).isEqualTo(row.requestId());
            assertThat(e.model()).isEqualTo(new ModelRef(row.model(), row.version()));
            assertThat(e.method()).isEqualTo(row.method());
            announced.add(e.explanationId());
        }
        assertThat(announced).isEqualTo(succeeded.keySet());

        // the bad records went to the DLQ with their reason, and everything after them was processed
        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClient.readByKey(Topics.PREDICTIONS_DLQ,
                k -> k.startsWith(prefix), bad.size(), Duration.ofSeconds(30), Duration.ofMillis(200));
        Map<String, ConsumerRecord<String, byte[]>> deadByKey = new HashMap<>();
        dead.forEach(r -> deadByKey.put(r.key(), r));
        assertThat(deadByKey.keySet()).isEqualTo(bad.keySet());
        assertThat(KafkaTestClient.header(deadByKey.get(prefix + "bad-json"), Topics.HEADER_ERROR_CLASS))
                .isEqualTo("invalid-json");
        assertThat(KafkaTestClient.header(deadByKey.get(prefix + "bad-probabilities"), Topics.HEADER_ERROR_CLASS))
                .isEqualTo("invalid-field");
        assertThat(KafkaTestClient.header(deadByKey.get(prefix + "bad-probabilities"), Topics.HEADER_ERROR_MESSAGE))
                .contains("got values that sum to");
        assertThat(deadByKey.get(prefix + "bad-json").value()).isEqualTo(bad.get(prefix + "bad-json"));
        assertThat(KafkaTestClient.header(deadByKey.get(prefix + "bad-json"), PredictionBatchConsumer.HEADER_DLQ_TOPIC))
                .isEqualTo(Topics.PREDICTIONS);

        // a stored explanation in full through the API
        long someId = succeeded.keySet().iterator().next();
        given().get("/api/explanations/" + someId).then().statusCode(200)
                .body("attributions.size()", org.hamcrest.Matchers.equalTo(784))
                .body("segments.size()", org.hamcrest.Matchers.equalTo(784))
                .body("status", org.hamcrest.Matchers.equalTo("succeeded"))
                .body("outputSpace", org.hamcrest.Matchers.equalTo("log_odds"));

        // offsets are committed once the work is done; a replay of the same records adds no row
        ExplainerTestSupport.awaitOffsetsCommitted("explainer-service", Topics.PREDICTIONS, KafkaBrokerTestResource.partitions(Topics.PREDICTIONS));
        int explanations = count("xai.explanation", prefix);
        send(valid, bad);
        ExplainerTestSupport.awaitOffsetsCommitted("explainer-service", Topics.PREDICTIONS, KafkaBrokerTestResource.partitions(Topics.PREDICTIONS));
        assertThat(count("xai.prediction", prefix)).isEqualTo(predictions);
        assertThat(count("xai.explanation", prefix)).isEqualTo(explanations);
        assertThat(rows(prefix)).containsExactlyInAnyOrderElementsOf(expected);
        // at-least-once: a replayed explanation may be announced again, always with the id it was stored under
        List<ConsumerRecord<String, byte[]>> again = KafkaTestClient.readByKey(Topics.EXPLANATIONS,
                k -> k.startsWith(prefix), events.size(), Duration.ofSeconds(10), Duration.ofSeconds(1));
        Set<Long> ids = new HashSet<>();
        again.forEach(r -> ids.add(Json.read(r.value(), ExplanationStored.class).explanationId()));
        assertThat(ids).isEqualTo(succeeded.keySet());
    }

    private static void send(Map<String, byte[]> valid, Map<String, byte[]> bad) {
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            int i = 0;
            List<Map.Entry<String, byte[]>> badOnes = new ArrayList<>(bad.entrySet());
            for (Map.Entry<String, byte[]> e : valid.entrySet()) {
                if (i == 3 || i == 6) { // bad records among the valid ones: the ones after them still count
                    Map.Entry<String, byte[]> b = badOnes.get(i / 3 - 1);
                    kafka.sendAsync(Topics.PREDICTIONS, b.getKey(), b.getValue());
                }
                kafka.sendAsync(Topics.PREDICTIONS, e.getKey().substring(0, e.getKey().indexOf('|')), e.getValue());
                i++;
            }
            kafka.flush();
        }
    }

    /** {@code n} request ids with the prefix that are (or are not) in the sample at {@code rate}. */
    private static List<String> ids(String prefix, double rate, boolean inSample, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            if (ExplanationPolicy.sampled(prefix + i, rate) == inSample) {
                out.add(prefix + i);
            }
        }
        return out;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> l : lists) {
            out.addAll(l);
        }
        return out;
    }

    private int count(String table, String prefix) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE request_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<Row> rows(String prefix) throws SQLException {
        return new ArrayList<>(explanations(prefix, "").values());
    }

    private Map<Long, Row> succeededIds(String prefix) throws SQLException {
        return explanations(prefix, " AND status = 'succeeded' AND samples > 0 AND cardinality(attributions) = 784");
    }

    /** The explanations of the requests starting with {@code prefix} that pass {@code condition}, by id. */
    private Map<Long, Row> explanations(String prefix, String condition) throws SQLException {
        Map<Long, Row> out = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, request_id, model_name, model_version, method, status, reason FROM xai.explanation "
                        + "WHERE request_id LIKE ?" + condition)) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new Row(rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                            rs.getString(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** LIME reports its surrogate's R^2; both SHAPs keep efficiency (sum of values + base = f(x)). */
    private void assertQualityFigures(String prefix) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT method, count(*), count(lime_r2), max(efficiency_gap), min(samples), max(elapsed_ms), "
                        + "count(deletion_curve) FROM xai.explanation WHERE request_id LIKE ? AND status = 'succeeded' "
                        + "GROUP BY method")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                Set<String> methods = new HashSet<>();
                while (rs.next()) {
                    String method = rs.getString(1);
                    methods.add(method);
                    assertThat(rs.getInt(7)).as(method + " deletion curves").isEqualTo(rs.getInt(2));
                    assertThat(rs.getInt(5)).as(method + " samples").isPositive();
                    if (method.equals("lime")) {
                        assertThat(rs.getInt(3)).as("lime R^2 of every explanation").isEqualTo(rs.getInt(2));
                    } else {
                        assertThat(rs.getDouble(4)).as(method + " efficiency gap").isLessThan(1e-3);
                    }
                }
                assertThat(methods).containsAll(policy.methods("xgboost"));
            }
        }
        // LIME and KernelSHAP of one prediction came from one set of model calls (ExplanationPairs): LIME's fit
        // has its own masks and every image KernelSHAP scored
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT l.samples, k.samples FROM xai.explanation l JOIN xai.explanation k ON k.request_id = l.request_id "
                        + "AND k.model_name = l.model_name AND k.model_version = l.model_version "
                        + "WHERE l.request_id LIKE ? AND l.method = 'lime' AND k.method = 'kernel_shap' "
                        + "AND l.status = 'succeeded' AND k.status = 'succeeded'")) {
            ps.setString(1, prefix + "%");
            int own = Math.min(config.lime().sharedSamples(), settings.limeSamples());
            int pairs = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertThat(rs.getInt(1)).as("LIME's rows beside KernelSHAP's " + rs.getInt(2)).isEqualTo(own + rs.getInt(2));
                    pairs++;
                }
            }
            assertThat(pairs).as("predictions explained by both LIME and KernelSHAP").isPositive();
        }
        // every method of a model explained the model's output space (log_odds by default) over the configured
        // segmentation, both stored with each row; failed explanations have no values, no space and no segmentation
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT model_name, status, output_space, segmentation, count(*) FROM xai.explanation "
                        + "WHERE request_id LIKE ? GROUP BY 1, 2, 3, 4")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                int groups = 0;
                while (rs.next()) {
                    String model = rs.getString(1);
                    String expected = "succeeded".equals(rs.getString(2)) ? policy.outputSpace(model).column() : null;
                    assertThat(rs.getString(3)).as(model + " " + rs.getString(2) + " output space").isEqualTo(expected);
                    assertThat(rs.getString(4)).as(model + " " + rs.getString(2) + " segmentation")
                            .isEqualTo(expected == null ? null : settings.segmentation().name());
                    groups++;
                }
                assertThat(groups).isPositive();
            }
        }
    }

    private List<String> errors(String requestId) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT error FROM xai.explanation WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The value of {@code explainer_shed_total{method,model}} on /q/metrics (0 when absent). */
    private static double shed(String model, String method) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^explainer_shed_total\\{(.*)} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        double total = 0;
        while (m.find()) {
            if (m.group(1).contains("model=\"" + model + "\"") && m.group(1).contains("method=\"" + method + "\"")) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }
}
