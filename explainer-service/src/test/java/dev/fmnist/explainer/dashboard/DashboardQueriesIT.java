package dev.fmnist.explainer.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.common.FashionClass;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs every SQL query of {@code deploy/grafana/dashboards/fmnist-xai.json} against the schema Flyway
 * builds, with the Grafana macros expanded, over rows inserted here (two models of their own, in a time
 * range of 2001 that no other test writes to), and checks each query's columns and rows. The rows are
 * inserted and read in one transaction that is rolled back: the service's own work-queue purge (a minute
 * after start, then hourly) deletes done items finished in 2001, and used to delete these between the insert
 * and the queries when it fell in between.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class DashboardQueriesIT {
    static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "dashboards", "fmnist-xai.json");
    static final Path SCALED_OBJECT = Path.of("..", "deploy", "k8s", "base", "explainer", "scaledobject.yaml");
    static final Instant T0 = Instant.parse("2001-02-03T10:00:00Z");
    static final GrafanaMacros.Range RANGE = new GrafanaMacros.Range(T0, T0.plus(Duration.ofHours(1)),
            Duration.ofMinutes(1));

    String a;
    String b;
    Map<String, String> variables;
    Connection connection;

    @BeforeEach
    void insertRows() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        a = "dash-a-" + suffix;
        b = "dash-b-" + suffix;
        variables = Map.of("model", "'" + a + "','" + b + "'");
        connection = PostgresDatabaseTestResource.database().connect();
        connection.setAutoCommit(false);
        Connection c = connection;
        prediction(c, "p1", a, 1, 1, 0.9, "10:00:10");
        prediction(c, "p2", a, 2, 3, 0.4, "10:00:40");
        prediction(c, "p3", a, 1, null, 0.7, "10:01:05");
        prediction(c, "p4", b, 9, 9, 0.95, "10:00:20");
        prediction(c, "p5", b, 1, 1, 0.2, "10:05:00");
        prediction(c, "p0", a, 5, 5, 0.01, "09:00:00"); // before the range
        explanation(c, "p1", a, "lime", "succeeded", 100.0, "10:00:30");
        explanation(c, "p2", a, "lime", "succeeded", 300.0, "10:00:50");
        explanation(c, "p2", a, "kernel_shap", "failed", null, "10:00:55");
        explanation(c, "p4", b, "tree_shap", "succeeded", 50.0, "10:00:25");
        explanation(c, "p0", a, "lime", "succeeded", 9000.0, "09:00:30"); // before the range
        // the work queue: queued at, finished at (null: still queued)
        work(c, "p1", a, "lime", "10:00:10", "10:00:30", "succeeded");
        work(c, "p2", a, "lime", "10:00:40", "10:01:20", "succeeded");
        work(c, "p2", a, "kernel_shap", "10:00:40", "10:00:55", "failed");
        work(c, "p3", a, "lime", "10:01:05", null, null); // held by a worker (a lease of an hour)
        work(c, "p4", b, "tree_shap", "10:00:20", "10:00:25", "succeeded");
    }

    @AfterEach
    void rollBack() throws Exception {
        connection.rollback();
        connection.close();
    }

    @Test
    void everyDashboardQueryRunsAndReturnsWhatThePanelShows() throws Exception {
        List<DashboardQueries.Query> queries = DashboardQueries.read(DASHBOARD);
        List<DashboardQueries.Result> results = DashboardQueries.runAll(connection, queries, RANGE, variables);
        Map<String, DashboardQueries.Result> byKey = results.stream()
                .collect(Collectors.toMap(r -> r.query().key(), r -> r, (x, y) -> x, LinkedHashMap::new));

        Map<String, List<List<Object>>> expected = new HashMap<>();
        expected.put("Predictions per minute by model/A",
                List.of(row(0, a, 2.0), row(0, b, 1.0), row(1, a, 1.0), row(5, b, 1.0)));
        expected.put("Accuracy on labelled traffic by model/A", List.of(row(0, a, 0.5), row(0, b, 1.0), row(5, b, 1.0)));
        expected.put("Class mix (predicted labels)/A", List.of(List.of(name(1), 3.0), List.of(name(2), 1.0),
                List.of(name(9), 1.0)));
        expected.put("Explanation latency by method (p50, p95)/A",
                List.of(row(0, "lime p50", 200.0), row(0, "tree_shap p50", 50.0)));
        expected.put("Explanation latency by method (p50, p95)/B",
                List.of(row(0, "lime p95", 290.0), row(0, "tree_shap p95", 50.0)));
        expected.put("Failed explanations per method/A",
                List.of(row(0, "kernel_shap", 1.0), row(0, "lime", 0.0), row(0, "tree_shap", 0.0)));
        // stored 2 s after scoring, p2 10 s
        expected.put("Prediction storage lag (stored - scored)/A", List.of(row(0, a + " max", 10.0),
                row(0, b + " max", 2.0), row(1, a + " max", 2.0), row(5, b + " max", 2.0)));
        expected.put("Prediction storage lag (stored - scored)/B", List.of(row(0, a + " p95", 9.6),
                row(0, b + " p95", 2.0), row(1, a + " p95", 2.0), row(5, b + " p95", 2.0)));
        // waits: p1 lime 20 s, p2 kernel_shap 15 s, p4 tree_shap 5 s finished in minute 0; p2 lime 40 s in minute 1
        expected.put("Explanation wait in the queue (queued - stored)/A", List.of(row(0, "max", 20.0), row(1, "max", 40.0)));
        expected.put("Explanation wait in the queue (queued - stored)/B", List.of(row(0, "p95", 19.5), row(1, "p95", 40.0)));

        assertThat(byKey.keySet()).as("every query of the dashboard has its expectation here")
                .containsExactlyInAnyOrderElementsOf(concat(expected.keySet(),
                        List.of("Lowest-confidence predictions/A", "variable model",
                                "Explanation backlog (queued explanations)/A", "Explanation backlog now/A")));
        for (DashboardQueries.Result r : results) {
            if ("time_series".equals(r.query().format())) {
                assertThat(r.columns()).as(r.query().key()).hasSize(3).startsWith("time", "metric");
            }
            if (expected.containsKey(r.query().key())) {
                assertRows(r, expected.get(r.query().key()));
            }
        }
        assertThat(byKey.get("Class mix (predicted labels)/A").columns()).containsExactly("class", "predictions");

        DashboardQueries.Result lowest = byKey.get("Lowest-confidence predictions/A");
        assertThat(lowest.columns()).containsExactly("time", "request_id", "model", "version", "predicted",
                "true_label", "confidence");
        assertThat(lowest.rows()).extracting(row -> row.get(1)).containsExactly("p5", "p2", "p3", "p1", "p4");
        assertThat(lowest.rows().get(0).get(0)).isEqualTo(at("10:05:00"));
        assertThat(lowest.rows().get(0).get(6)).isEqualTo(0.2);
        assertThat(lowest.rows().get(2).get(5)).isNull();

        assertThat(byKey.get("variable model").rows()).extracting(row -> row.get(0)).contains(a, b);

        // the backlog at each minute of the hour: a holds p2's lime over 10:01 and p3's lime from 10:01:05 on; b none
        DashboardQueries.Result history = byKey.get("Explanation backlog (queued explanations)/A");
        assertThat(history.columns()).containsExactly("time", "metric", "queued");
        assertThat(history.rows()).hasSize(2 * 61);
        Map<String, Double> at = new HashMap<>();
        history.rows().forEach(r -> at.put(r.get(0) + " " + r.get(1), (Double) r.get(2)));
        assertThat(at.get(T0 + " " + a)).isEqualTo(0.0);
        assertThat(at.get(T0.plus(Duration.ofMinutes(1)) + " " + a)).isEqualTo(1.0);
        assertThat(at.get(T0.plus(Duration.ofMinutes(2)) + " " + a)).isEqualTo(1.0);
        assertThat(at.get(T0.plus(Duration.ofMinutes(60)) + " " + a)).isEqualTo(1.0);
        assertThat(history.rows()).filteredOn(r -> b.equals(r.get(1))).allSatisfy(r -> assertThat(r.get(2)).isEqualTo(0.0));

        DashboardQueries.Result now = byKey.get("Explanation backlog now/A");
        assertThat(now.columns()).containsExactly("queued", "running", "oldest_s");
        assertThat(now.rows()).hasSize(1);
        assertThat(now.rows().get(0).get(0)).isEqualTo(1.0);
        assertThat(now.rows().get(0).get(1)).isEqualTo(1.0);
        assertThat((Double) now.rows().get(0).get(2)).as("seconds since 2001-02-03 10:01:05")
                .isCloseTo(Duration.between(at("10:01:05"), Instant.now()).toSeconds(),
                        org.assertj.core.data.Offset.offset(120.0));
    }

    @Test
    void aBrokenQueryIsReportedWithItsPanelAndTheDatabaseError() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree("""
                {"panels": [
                  {"title": "fine", "targets": [{"refId": "A", "format": "table",
                    "rawSql": "SELECT count(*) FROM xai.prediction WHERE $__timeFilter(scored_at)"}]},
                  {"title": "typo", "targets": [{"refId": "A", "format": "table",
                    "rawSql": "SELECT confidenc FROM xai.prediction WHERE $__timeFilter(scored_at)"}]},
                  {"title": "unknown macro", "targets": [{"refId": "B", "format": "table",
                    "rawSql": "SELECT 1 FROM xai.prediction WHERE $__timeFiltr(scored_at)"}]}
                ]}""");
        List<DashboardQueries.Query> queries = DashboardQueries.read(dashboard);
        assertThat(queries).hasSize(3);
        try (Connection c = PostgresDatabaseTestResource.database().connect()) {
            assertThatThrownBy(() -> DashboardQueries.runAll(c, queries, RANGE, variables))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("2 dashboard queries failed")
                    .hasMessageContaining("typo/A: ")
                    .hasMessageContaining("confidenc")
                    .hasMessageContaining("unknown macro/B: unknown Grafana macro $__timeFiltr")
                    .hasMessageNotContaining("fine/A");
        }
    }

    @Test
    void theProvisioningPointsAtThisDashboardAndItsDataSource() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        String datasource = Files.readString(Path.of("..", "deploy", "grafana", "provisioning", "datasources",
                "postgres.yaml"));
        assertThat(datasource).contains("uid: fmnist-pg").contains("${FMNIST_PG_PASSWORD}")
                .contains("type: " + dashboard.path("panels").get(0).path("datasource").path("type").asText());
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                    .isEqualTo("fmnist-pg");
        }
        assertThat(Files.readString(Path.of("..", "deploy", "grafana", "provisioning", "dashboards", "fmnist.yaml")))
                .contains("path: ${FMNIST_GRAFANA_DASHBOARDS}");
    }

    /** Rows equal in order, numbers within 1e-6. */
    /**
     * KEDA's PostgreSQL scaler of the explainer (deploy/k8s/base/explainer/scaledobject.yaml) runs its query as
     * written there: on the schema Flyway builds it gives one number, the explanations asked for and not yet
     * stored. In one snapshot (REPEATABLE READ, so the service's own workers change nothing in between), two
     * queued items and one announcing add 3; done items add nothing.
     */
    @Test
    void kedasScalingQueryCountsTheOpenWorkItems() throws Exception {
        String query = scalingQuery();
        try (Connection c = PostgresDatabaseTestResource.database().connect()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                double before = single(c, query);
                String m = "keda-" + UUID.randomUUID().toString().substring(0, 8);
                for (String id : List.of("k1", "k2", "k3", "k4")) {
                    prediction(c, id, m, 1, 1, 0.5, "10:00:00");
                }
                work(c, "k1", m, "lime", "10:00:00", null, null);
                work(c, "k2", m, "lime", "10:00:00", null, null);
                work(c, "k3", m, "lime", "10:00:00", "10:00:05", "succeeded");
                work(c, "k4", m, "kernel_shap", "10:00:00", "10:00:05", "shed");
                explanation(c, "k4", m, "lime", "succeeded", 10.0, "10:00:04");
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO xai.explanation_work (request_id, model_name, model_version, method, reason, priority,
                          state, explanation_id)
                        SELECT 'k4', ?, 1, 'lime', 'requested', 0, 'announcing', id FROM xai.explanation
                        WHERE request_id = 'k4' AND model_name = ?""")) {
                    ps.setString(1, m);
                    ps.setString(2, m);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                assertThat(single(c, query) - before).isEqualTo(3.0);
            } finally {
                c.rollback();
            }
        }
    }

    /** The query of the ScaledObject's postgresql trigger. */
    private static String scalingQuery() throws Exception {
        JsonNode scaledObject = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(SCALED_OBJECT.toFile());
        for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
            if (trigger.path("type").asText().equals("postgresql")) {
                return trigger.path("metadata").path("query").asText();
            }
        }
        throw new AssertionError(SCALED_OBJECT + " has no postgresql trigger");
    }

    /** The one value of a one-row, one-column query, as KEDA reads it (a float64). */
    private static double single(Connection c, String query) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery(query)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getMetaData().getColumnCount()).isEqualTo(1);
            double value = rs.getDouble(1);
            assertThat(rs.wasNull()).isFalse();
            assertThat(rs.next()).isFalse();
            return value;
        }
    }

    private static void assertRows(DashboardQueries.Result r, List<List<Object>> expected) {
        String what = r.query().key() + "\n" + r.sql() + "\nrows: " + r.rows();
        assertThat(r.rows()).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            List<Object> want = expected.get(i);
            List<Object> got = r.rows().get(i);
            assertThat(got).as(what).hasSameSizeAs(want);
            for (int j = 0; j < want.size(); j++) {
                if (want.get(j) instanceof Double d) {
                    assertThat(got.get(j)).as(what).isInstanceOf(Double.class);
                    assertThat((Double) got.get(j)).as(what).isCloseTo(d, org.assertj.core.data.Offset.offset(1e-6));
                } else {
                    assertThat(got.get(j)).as(what).isEqualTo(want.get(j));
                }
            }
        }
    }

    private static List<String> concat(java.util.Collection<String> x, List<String> y) {
        List<String> out = new java.util.ArrayList<>(x);
        out.addAll(y);
        return out;
    }

    private static String name(int label) {
        return FashionClass.ofLabel(label).displayName();
    }

    private static List<Object> row(int minute, String metric, double value) {
        return List.of(T0.plus(Duration.ofMinutes(minute)), metric, value);
    }

    private static Instant at(String time) {
        return Instant.parse("2001-02-03T" + time + "Z");
    }

    private static void prediction(Connection c, String id, String model, int label, Integer trueLabel,
                                   double confidence, String time) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO xai.prediction (request_id, model_name, model_version, label, class_name, confidence,
                  probabilities, image, true_label, explain, latency_ms, scored_at, stored_at)
                VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, false, 2.5, ?, ?)""")) {
            Float[] p = new Float[10];
            java.util.Arrays.fill(p, (float) ((1 - confidence) / 9));
            p[label] = (float) confidence;
            ps.setString(1, id);
            ps.setString(2, model);
            ps.setInt(3, label);
            ps.setString(4, name(label));
            ps.setFloat(5, (float) confidence);
            ps.setArray(6, c.createArrayOf("real", p));
            ps.setBytes(7, new byte[784]);
            ps.setObject(8, trueLabel == null ? null : trueLabel.shortValue(), java.sql.Types.SMALLINT);
            ps.setTimestamp(9, Timestamp.from(at(time)));
            // stored 2 s after scoring (p2: 10 s), as the storage lag panel reads
            ps.setTimestamp(10, Timestamp.from(at(time).plusSeconds("p2".equals(id) ? 10 : 2)));
            ps.executeUpdate();
        }
    }

    private static void work(Connection c, String id, String model, String method, String queuedAt, String finishedAt,
                             String outcome) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO xai.explanation_work (request_id, model_name, model_version, method, reason, priority, state,
                  outcome, queued_at, finished_at, claimed_by, lease_until)
                VALUES (?, ?, 1, ?, 'requested', 0, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, id);
            ps.setString(2, model);
            ps.setString(3, method);
            ps.setString(4, finishedAt == null ? "queued" : "done");
            ps.setString(5, outcome);
            ps.setTimestamp(6, Timestamp.from(at(queuedAt)));
            ps.setTimestamp(7, finishedAt == null ? null : Timestamp.from(at(finishedAt)));
            // a queued item is held by a (test) worker, so that the service's own workers leave it alone
            ps.setString(8, finishedAt == null ? "dashboard-test" : null);
            ps.setTimestamp(9, finishedAt == null ? Timestamp.from(Instant.now().plus(Duration.ofHours(1))) : null);
            ps.executeUpdate();
        }
    }

    private static void explanation(Connection c, String id, String model, String method, String status,
                                    Double elapsedMs, String time) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO xai.explanation (request_id, model_name, model_version, method, status, error,
                  target_class, elapsed_ms, created_at, output_space)
                VALUES (?, ?, 1, ?, ?, ?, 0, ?, ?, ?)""")) {
            ps.setString(1, id);
            ps.setString(2, model);
            ps.setString(3, method);
            ps.setString(4, status);
            ps.setString(5, "failed".equals(status) ? "test failure" : null);
            ps.setObject(6, elapsedMs, java.sql.Types.DOUBLE);
            ps.setTimestamp(7, Timestamp.from(at(time)));
            ps.setString(8, "succeeded".equals(status) ? "log_odds" : null);
            ps.executeUpdate();
        }
    }
}
