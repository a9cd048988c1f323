package dev.fmnist.explainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.WorkItem;
import dev.fmnist.explainer.repository.WorkQueueRepository;
import dev.fmnist.explainer.repository.XaiWriteRepository;
import dev.fmnist.explainer.service.ExplanationPolicy;
import dev.fmnist.explainer.service.ExplanationService;
import dev.fmnist.explainer.service.ExplanationWorkers;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The durable explanation work queue (issue 18, item 5): predictions are stored within seconds while the
 * explanations wait (workers paused), the read API shows them pending, and once the workers resume every
 * explanation is stored exactly once and announced; an item a crashed worker held (lease ran out, before or
 * after storing) is taken again and stored once; concurrent claims never take the same item.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class WorkQueueIT {
    @Inject
    AgroalDataSource dataSource;

    @Inject
    ExplanationPolicy policy;

    @Inject
    ExplanationWorkers workers;

    @Inject
    WorkQueueRepository queue;

    @Inject
    XaiWriteRepository writes;

    @Inject
    ExplanationService explainer;

    @AfterEach
    void resume() {
        workers.resume();
    }

    @Test
    void predictionsAreStoredWithinSecondsWhileExplanationsWaitAndEachIsStoredOnceAfterwards() throws Exception {
        RegistryFixture.Version lenet = RegistryFixture.standardModels("lenet").get("lenet");
        String prefix = "queue-" + UUID.randomUUID() + "-";
        int n = 40;
        List<String> methods = policy.methods("lenet");
        workers.pause();
        Instant sent = Instant.now();
        try (ModelScorer scorer = lenet.open(); KafkaTestClient kafka = new KafkaTestClient()) {
            for (int i = 0; i < n; i++) {
                Prediction p = ExplainerTestSupport.predict(scorer, prefix + i, i, true, Instant.now());
                kafka.sendAsync(Topics.PREDICTIONS, p.requestId(), Json.write(p));
            }
            kafka.flush();
        }

        // every prediction stored within seconds, although no explanation is made
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> count("xai.prediction", prefix) == n);
        double storedAfter = Duration.between(sent, Instant.now()).toMillis() / 1000.0;
        assertThat(storedAfter).as("seconds until all %d predictions were stored", n).isLessThan(10);
        assertThat(maxStorageLagSeconds(prefix)).as("stored_at - scored_at, seconds").isLessThan(10);
        assertThat(count("xai.explanation", prefix)).as("explanations while the workers are paused").isZero();
        assertThat(states(prefix)).containsOnlyKeys("queued").containsEntry("queued", n * methods.size());
        WorkItem.Backlog backlog = workers.readBacklogNow();
        assertThat(backlog.queued()).isGreaterThanOrEqualTo((long) n * methods.size());
        assertThat(backlog.oldestSeconds()).isGreaterThan(0);

        // the read API: explanations pending per prediction, the list counts them
        given().get("/api/predictions/" + prefix + "0").then().statusCode(200)
                .body("explanations.size()", org.hamcrest.Matchers.equalTo(0))
                .body("pending.size()", org.hamcrest.Matchers.equalTo(methods.size()))
                .body("pending.status", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo("pending")))
                .body("pending.method", org.hamcrest.Matchers.containsInAnyOrder(methods.toArray()));
        given().get("/api/predictions?model=lenet&size=100").then().statusCode(200)
                .body("items.find { it.requestId == '" + prefix + "0' }.pendingExplanations",
                        org.hamcrest.Matchers.equalTo(methods.size()));
        // the metrics
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("explainer_prediction_lag_seconds_count{model=\"lenet\"")
                .contains("explainer_queue_size").contains("explainer_queue_oldest_seconds");

        // resumed: every explanation stored once, succeeded, announced; every item done
        workers.resume();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> states(prefix).getOrDefault("done", 0) == n * methods.size());
        assertThat(count("xai.explanation", prefix)).isEqualTo(n * methods.size());
        assertThat(distinctKeys(prefix)).isEqualTo(n * methods.size());
        assertThat(outcomes(prefix)).containsOnlyKeys("succeeded");
        Set<Long> ids = explanationIds(prefix);
        assertThat(announcedIds(prefix, ids.size())).isEqualTo(ids);
        given().get("/api/predictions/" + prefix + "0").then().statusCode(200)
                .body("explanations.size()", org.hamcrest.Matchers.equalTo(methods.size()))
                .body("pending.size()", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void itemsOfACrashedWorkerAreTakenAgainWhenTheirLeaseEndsAndStoredOnce() throws Exception {
        RegistryFixture.Version lenet = RegistryFixture.standardModels("lenet").get("lenet");
        String prefix = "crash-" + UUID.randomUUID() + "-";
        workers.pause();
        Prediction p;
        try (ModelScorer scorer = lenet.open()) {
            p = ExplainerTestSupport.predict(scorer, prefix + "0", 3, true, Instant.now());
        }
        ExplanationKey lime = new ExplanationKey(p.requestId(), p.model(), "lime");
        ExplanationKey shap = new ExplanationKey(p.requestId(), p.model(), "kernel_shap");
        writes.storeBatch(List.of(p), List.of(new WorkItem.New(lime, "requested", null),
                new WorkItem.New(shap, "requested", null)));
        // lime: a worker claimed it and died while explaining (kill -9: no lock, no connection, only the lease)
        // kernel_shap: a worker stored it and died before the broker acknowledged ExplanationStored
        long storedId = writes.storeExplanation(shap, "requested", p.label(),
                explainer.explain(shap, p.pixels(), p.label()).attribution(), null).id();
        try (Connection c = dataSource.getConnection()) {
            update(c, "UPDATE xai.explanation_work SET claimed_by = 'dead-worker', attempts = 1, "
                    + "lease_until = now() + interval '3 seconds' WHERE request_id = ? AND method = 'lime'", p.requestId());
            update(c, "UPDATE xai.explanation_work SET claimed_by = 'dead-worker', attempts = 1, state = 'announcing', "
                    + "explanation_id = " + storedId + ", finished_at = now(), lease_until = now() + interval '3 seconds' "
                    + "WHERE request_id = ? AND method = 'kernel_shap'", p.requestId());
        }
        workers.resume();
        Thread.sleep(1000);
        assertThat(count("xai.explanation", prefix)).as("nothing taken while the lease holds").isEqualTo(1);
        assertThat(states(prefix)).containsEntry("queued", 1).containsEntry("announcing", 1);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> states(prefix).getOrDefault("done", 0) == 2);
        assertThat(count("xai.explanation", prefix)).isEqualTo(2);
        assertThat(outcomes(prefix)).containsEntry("succeeded", 2);
        assertThat(attempts(prefix)).containsOnly(2);
        Set<Long> ids = explanationIds(prefix);
        assertThat(ids).contains(storedId).hasSize(2);
        assertThat(announcedIds(prefix, 2)).isEqualTo(ids);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("explainer_queue_retaken_total(\\{[^}]*\\})? [1-9]");
    }

    @Test
    void concurrentClaimsNeverTakeTheSameItem() throws Exception {
        RegistryFixture.Version lenet = RegistryFixture.standardModels("lenet").get("lenet");
        String prefix = "claims-" + UUID.randomUUID() + "-";
        int n = 12;
        workers.pause();
        List<Prediction> predictions = new ArrayList<>();
        List<WorkItem.New> items = new ArrayList<>();
        try (ModelScorer scorer = lenet.open()) {
            for (int i = 0; i < n; i++) {
                Prediction p = ExplainerTestSupport.predict(scorer, prefix + i, i, true, Instant.now());
                predictions.add(p);
                items.add(new WorkItem.New(new ExplanationKey(p.requestId(), p.model(), "lime"), "requested", null));
            }
        }
        XaiWriteRepository.Added added = writes.storeBatch(predictions, items);
        assertThat(added.predictions()).isEqualTo(n);
        assertThat(added.work()).isEqualTo(n);
        assertThat(writes.storeBatch(predictions, items).work()).as("queued again: nothing added").isZero();

        Map<Long, String> claimedBy = new ConcurrentHashMap<>();
        List<Long> twice = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String worker = "test-claimer-" + t;
                runs.add(pool.submit(() -> {
                    while (true) {
                        var item = queue.claim(worker, Duration.ofSeconds(30));
                        if (item.isEmpty()) {
                            return null;
                        }
                        if (claimedBy.putIfAbsent(item.get().id(), worker) != null) {
                            twice.add(item.get().id());
                        }
                    }
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(twice).as("items claimed twice while leased").isEmpty();
        assertThat(claimedBy.keySet()).containsAll(itemIds(prefix));
        // the test's claimers "crash" and their leases run out: the workers take the items again, and explain each once
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE xai.explanation_work SET lease_until = now() - interval '1 second' WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", claimedBy.keySet().toArray()));
            ps.executeUpdate();
        }
        workers.resume();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> states(prefix).getOrDefault("done", 0) == n);
        assertThat(count("xai.explanation", prefix)).isEqualTo(n);
        assertThat(attempts(prefix)).containsOnly(2);
    }

    // ---- queries ----

    private int count(String table, String prefix) throws SQLException {
        return single("SELECT count(*) FROM " + table + " WHERE request_id LIKE ?", prefix + "%");
    }

    private int distinctKeys(String prefix) throws SQLException {
        return single("SELECT count(DISTINCT (request_id, model_name, model_version, method)) FROM xai.explanation "
                + "WHERE request_id LIKE ?", prefix + "%");
    }

    private double maxStorageLagSeconds(String prefix) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT max(extract(epoch FROM stored_at - scored_at)) FROM xai.prediction WHERE request_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }

    private Map<String, Integer> states(String prefix) throws SQLException {
        return grouped("SELECT state, count(*) FROM xai.explanation_work WHERE request_id LIKE ? GROUP BY state", prefix);
    }

    private Map<String, Integer> outcomes(String prefix) throws SQLException {
        return grouped("SELECT outcome, count(*) FROM xai.explanation_work WHERE request_id LIKE ? AND state = 'done' "
                + "GROUP BY outcome", prefix);
    }

    private List<Integer> attempts(String prefix) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT attempts FROM xai.explanation_work WHERE request_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
        }
        return out;
    }

    private Set<Long> itemIds(String prefix) throws SQLException {
        return longs("SELECT id FROM xai.explanation_work WHERE request_id LIKE ?", prefix);
    }

    private Set<Long> explanationIds(String prefix) throws SQLException {
        return longs("SELECT id FROM xai.explanation WHERE request_id LIKE ?", prefix);
    }

    private static Set<Long> announcedIds(String prefix, int expected) {
        List<ConsumerRecord<String, byte[]>> events = KafkaTestClient.readByKey(Topics.EXPLANATIONS,
                k -> k.startsWith(prefix), expected, Duration.ofSeconds(30), Duration.ofMillis(500));
        Set<Long> ids = new HashSet<>();
        events.forEach(r -> ids.add(Json.read(r.value(), ExplanationStored.class).explanationId()));
        return ids;
    }

    private Set<Long> longs(String sql, String prefix) throws SQLException {
        Set<Long> out = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private Map<String, Integer> grouped(String sql, String prefix) throws SQLException {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return out;
    }

    private int single(String sql, String arg) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void update(Connection c, String sql, String requestId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, requestId);
            assertThat(ps.executeUpdate()).as(sql).isEqualTo(1);
        }
    }
}
