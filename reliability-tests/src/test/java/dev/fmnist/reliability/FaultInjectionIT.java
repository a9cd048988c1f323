package dev.fmnist.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.fault.TcpProxy;
import dev.fmnist.launcher.ServiceProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #10's fault-injection suite: the platform as the local stack runs it (a Kafka broker process,
 * PostgreSQL, lenet trained by the trainer's CLI, inference-service and explainer-service as their
 * packaged jars), one fault per scenario while test images stream in, and afterwards a count of what
 * was lost and duplicated. The explainer reaches PostgreSQL through a {@link TcpProxy} the test can cut;
 * the test's own queries go to the database directly.
 *
 * <p>Each scenario measures first, adds its row to the results table, then asserts, so that the table
 * shows a failure too. The table goes to {@code target/reliability.md}, and with {@code
 * -Dreliability.results=true} to {@code results/reliability.md} ({@link ReliabilitySettings}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {
    private static final ReliabilitySettings SETTINGS = ReliabilitySettings.fromSystemProperties();
    private static final Path WORK_DIR = Platform.WORK_DIR;
    private static final String RUN = Platform.RUN;
    /** Longest wait for a scenario's results once its stream has ended. */
    private static final Duration SETTLE = Duration.ofMinutes(SETTINGS.full() ? 10 : 4);
    private static final List<FaultResult> RESULTS = new ArrayList<>();

    private static Platform platform;

    @BeforeAll
    static void startThePlatform() throws Exception {
        platform = Platform.get();
    }

    @AfterAll
    static void writeTheTable() throws Exception {
        String machine = Runtime.getRuntime().availableProcessors() + " CPUs";
        ResultsTable.write(WORK_DIR.resolve("reliability.md"), SETTINGS, RESULTS, machine);
        if (ReliabilitySettings.writesResults()) {
            ResultsTable.write(ServiceProcess.repositoryRoot().resolve("results/reliability.md"), SETTINGS, RESULTS, machine);
        }
    }

    @Test
    @Order(1)
    void malformedRecordsOfEveryKindGoToTheDeadLetterTopicWithTheirReasonAndEveryValidOneIsScored() throws Exception {
        String prefix = RUN + "-malformed-";
        List<MalformedRecords.Kind> kinds = MalformedRecords.kinds(platform.images.image(0));
        int bad = SETTINGS.malformed();
        long pid = platform.inference().pid();
        Map<String, MalformedRecords.Kind> sentBad = new LinkedHashMap<>();
        int unhealthy = 0;
        try (TopicWatcher dlq = new TopicWatcher(platform.broker.bootstrapServers(), Topics.IMAGES_DLQ, prefix, ConsumerRecord::key, true);
             KafkaTestClient kafka = new KafkaTestClient(platform.broker.bootstrapServers())) {
            for (int i = 0; i < bad; i++) {
                MalformedRecords.Kind kind = kinds.get(i % kinds.size());
                String badKey = prefix + "bad-" + i + "-" + kind.name();
                kafka.sendAsync(Topics.IMAGES, badKey, kind.value().apply(i));
                sentBad.put(badKey, kind);
                ScoreRequest valid = new ScoreRequest(prefix + "valid-" + i, platform.images.image(i), "lenet", false, Instant.now(),
                        platform.images.label(i));
                kafka.sendAsync(Topics.IMAGES, valid.id(), Json.write(valid));
                if (i % 50 == 0) {
                    unhealthy += platform.inference().status("/q/health/live", Duration.ofSeconds(5)) == 200 ? 0 : 1;
                }
            }
            kafka.flush();
            long sentAt = System.currentTimeMillis();
            awaitQuietly(() -> dlq.distinct() >= bad && storedRequests(prefix + "valid-") >= bad);
            long lastStored = lastStoredMillis(prefix);

            List<ConsumerRecord<String, byte[]>> dead = dlq.records();
            Map<String, ConsumerRecord<String, byte[]>> byKey = dead.stream()
                    .collect(Collectors.toMap(ConsumerRecord::key, r -> r, (a, b) -> a));
            List<String> wrongReason = new ArrayList<>();
            sentBad.forEach((key, kind) -> {
                ConsumerRecord<String, byte[]> r = byKey.get(key);
                if (r != null && (!kind.errorClass().equals(KafkaTestClient.header(r, Topics.HEADER_ERROR_CLASS))
                        || KafkaTestClient.header(r, Topics.HEADER_ERROR_MESSAGE) == null
                        || KafkaTestClient.header(r, Topics.HEADER_ERROR_MESSAGE).isBlank())) {
                    wrongReason.add(kind.name() + ": " + KafkaTestClient.header(r, Topics.HEADER_ERROR_CLASS) + " / "
                            + KafkaTestClient.header(r, Topics.HEADER_ERROR_MESSAGE));
                }
            });
            int missingDead = (int) sentBad.keySet().stream().filter(k -> !byKey.containsKey(k)).count();
            int validStored = storedRequests(prefix + "valid-");
            int[] rows = predictionRows(prefix);
            boolean samePidAlive = platform.inference().pid() == pid && platform.inference().isAlive();
            int readyAfter = platform.inference().status("/q/health/ready", Duration.ofSeconds(5));
            RESULTS.add(new FaultResult(String.format("%,d malformed records of %d kinds interleaved with %,d valid ones",
                    bad, kinds.size(), bad), "as fast as sent", 2 * bad, (bad - validStored) + missingDead, rows[0] - rows[1],
                    dlq.duplicateDeliveries(), Double.NaN, Double.NaN, seconds(lastStored - sentAt),
                    "no fault to recover from: the service never stopped (same process, live " + (unhealthy == 0 ? "at every check" : "failed " + unhealthy + " checks")
                            + ", ready afterwards); every invalid record on `fmnist.images.dlq` with its `error-class` and `error-message`"));

            assertThat(missingDead).as("invalid records missing from the DLQ").isZero();
            assertThat(wrongReason).as("dead letters with a wrong or empty reason").isEmpty();
            assertThat(validStored).as("valid requests scored and stored").isEqualTo(bad);
            assertThat(rows[0]).isEqualTo(rows[1]);
            assertThat(samePidAlive).as("the inference service did not crash").isTrue();
            assertThat(unhealthy).as("liveness checks that failed during the stream").isZero();
            assertThat(readyAfter).isEqualTo(200);
        }
    }

    /** The loads each Kafka fault scenario runs under: issue #10's steady stream, then issue #17's heavy one. */
    static List<ReliabilitySettings.Load> loads() {
        return SETTINGS.loads();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loads")
    @Order(2)
    void inferenceKilledMidStreamAndRestartedLosesNothingAndStoresOnePredictionPerRequest(ReliabilitySettings.Load load)
            throws Exception {
        Scenario s = new Scenario("kill -9 of inference-service mid-stream, restarted at once", "inference", load);
        s.run(() -> {
            platform.killAndRestartInference();
            return null;
        }, Recovery.FIRST_PREDICTION_PRODUCED_AFTER_THE_FAULT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loads")
    @Order(3)
    void explainerKilledMidStreamAndRestartedLosesNothingAndStoresEveryExplanationOnce(ReliabilitySettings.Load load)
            throws Exception {
        Scenario s = new Scenario("kill -9 of explainer-service mid-stream, restarted at once", "explainer", load);
        s.run(() -> {
            platform.killAndRestartExplainer();
            return null;
        }, Recovery.FIRST_STORED_AFTER_THE_FAULT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loads")
    @Order(4)
    void brokerKilledMidStreamAndRestartedTheServicesReconnectByThemselves(ReliabilitySettings.Load load) throws Exception {
        long inferencePid = platform.inference().pid();
        long explainerPid = platform.explainer().pid();
        Scenario s = new Scenario("kill -9 of the Kafka broker mid-stream, restarted (same port and data)", "broker", load);
        s.run(() -> {
            platform.broker.kill();
            platform.broker.startAgain();
            return null;
        }, Recovery.FIRST_STORED_AFTER_THE_PART_WAS_BACK);
        assertThat(platform.inference().pid()).as("inference-service reconnected without a restart").isEqualTo(inferencePid);
        assertThat(platform.explainer().pid()).as("explainer-service reconnected without a restart").isEqualTo(explainerPid);
        platform.inference().awaitReady(Duration.ofMinutes(1));
        platform.explainer().awaitReady(Duration.ofMinutes(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loads")
    @Order(5)
    void postgresUnreachableForAWhileTheExplainerPausesAndResumes(ReliabilitySettings.Load load) throws Exception {
        long explainerPid = platform.explainer().pid();
        Scenario s = new Scenario("PostgreSQL unreachable for the explainer for " + SETTINGS.databaseOutage().toSeconds()
                + " s mid-stream (connections dropped and refused)", "postgres", load);
        s.run(() -> {
            platform.explainerDatabase.cut();
            Thread.sleep(SETTINGS.databaseOutage().toMillis());
            platform.explainerDatabase.restore();
            return null;
        }, Recovery.FIRST_STORED_AFTER_THE_FAULT);
        assertThat(platform.explainer().pid()).as("the explainer waited, it did not crash").isEqualTo(explainerPid);
        platform.explainer().awaitReady(Duration.ofMinutes(1));
    }

    /** How a scenario's time to recover is measured, from the fault. */
    enum Recovery {
        FIRST_PREDICTION_PRODUCED_AFTER_THE_FAULT("to the first prediction the restarted service produced"),
        FIRST_STORED_AFTER_THE_FAULT("to the first prediction stored after the fault"),
        FIRST_STORED_AFTER_THE_PART_WAS_BACK("to the first prediction stored after the broker was back");

        final String words;

        Recovery(String words) {
            this.words = words;
        }
    }

    /** One stream of requests with one fault in the middle, measured and then checked. */
    private final class Scenario {
        private final String fault;
        private final String prefix;
        private final ReliabilitySettings.Load load;

        Scenario(String fault, String name, ReliabilitySettings.Load load) {
            this.fault = fault;
            this.prefix = RUN + "-" + name + "-" + load.ratePerSecond() + "-";
            this.load = load;
        }

        void run(Callable<Void> inject, Recovery recovery) throws Exception {
            int n = load.images();
            int explained = load.explained();
            try (TopicWatcher predictions = new TopicWatcher(platform.broker.bootstrapServers(), Topics.PREDICTIONS, prefix,
                    ConsumerRecord::key, false);
                 TopicWatcher explanations = new TopicWatcher(platform.broker.bootstrapServers(), Topics.EXPLANATIONS, prefix,
                         r -> r.key() + "/" + Json.read(r.value(), ExplanationStored.class).method(), false);
                 ImageStream stream = ImageStream.start(platform.broker.bootstrapServers(), platform.images, prefix, n,
                         load.ratePerSecond(), load.explainEvery())) {
                stream.awaitSent(n, SETTINGS.faultAt());
                long faultAt = System.currentTimeMillis();
                inject.call();
                long backAt = System.currentTimeMillis();
                long lastSent = stream.awaitDone(Duration.ofMinutes(10));
                awaitQuietly(() -> storedRequests(prefix) >= n && succeededExplanations(prefix) >= 2 * explained);

                long first = switch (recovery) {
                    case FIRST_PREDICTION_PRODUCED_AFTER_THE_FAULT -> predictions.firstCreatedAfter(faultAt);
                    case FIRST_STORED_AFTER_THE_FAULT -> firstStoredAfterMillis(prefix, faultAt);
                    case FIRST_STORED_AFTER_THE_PART_WAS_BACK -> firstStoredAfterMillis(prefix, backAt);
                };
                long lastStored = Math.max(lastStoredMillis(prefix), lastExplainedMillis(prefix));
                int stored = storedRequests(prefix);
                int[] rows = predictionRows(prefix);
                int[] explanationRows = explanationRows(prefix);
                int succeeded = succeededExplanations(prefix);
                int lostExplanations = 2 * explained - Math.min(succeeded, 2 * explained);
                int lost = (n - stored) + lostExplanations;
                int duplicated = (rows[0] - rows[1]) + (explanationRows[0] - explanationRows[1]);
                RESULTS.add(new FaultResult(fault, load.describe(), stream.acknowledged(), lost, duplicated,
                        predictions.duplicateDeliveries() + explanations.duplicateDeliveries(),
                        seconds(backAt - faultAt), first < 0 ? Double.NaN : seconds(first - faultAt),
                        seconds(lastStored - lastSent), recovery.words + "; " + String.format("%,d", 2 * explained)
                        + " explanations asked for; sent at " + String.format("%,.0f", stream.achievedRate()) + "/s on average"));

                assertThat(stream.acknowledged()).as("requests the broker acknowledged").isEqualTo(n);
                assertThat(stored).as("requests with a stored prediction").isEqualTo(n);
                assertThat(rows[0]).as("stored predictions: exactly one per request and model").isEqualTo(n);
                assertThat(explanationRows[0]).as("stored explanations: one per request, model and method")
                        .isEqualTo(explanationRows[1]).isEqualTo(2 * explained);
                assertThat(succeeded).as("succeeded explanations").isEqualTo(2 * explained);
                assertThat(predictions.distinct()).as("distinct predictions on the topic").isEqualTo(n);
                assertThat(first).as("a new result after the fault").isPositive();
            }
        }
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    /** Waits until the condition holds or {@link #SETTLE} passes; the assertions after it say what is missing. */
    private static void awaitQuietly(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.call()) {
                return;
            }
            Thread.sleep(500);
        }
    }

    private static int storedRequests(String prefix) throws Exception {
        return (int) query("select count(distinct request_id) from xai.prediction where request_id like ?", prefix + "%");
    }

    /** Stored prediction rows and distinct (request, model) pairs. */
    private static int[] predictionRows(String prefix) throws Exception {
        return pair("select count(*), count(distinct (request_id, model_name)) from xai.prediction where request_id like ?",
                prefix);
    }

    /** Stored explanation rows and distinct (request, model, method). */
    private static int[] explanationRows(String prefix) throws Exception {
        return pair("select count(*), count(distinct (request_id, model_name, method)) from xai.explanation"
                + " where request_id like ?", prefix);
    }

    private static int succeededExplanations(String prefix) throws Exception {
        return (int) query("select count(*) from xai.explanation where status = 'succeeded' and request_id like ?",
                prefix + "%");
    }

    private static long lastStoredMillis(String prefix) throws Exception {
        return query("select coalesce(floor(extract(epoch from max(stored_at)) * 1000), 0)::bigint from xai.prediction"
                + " where request_id like ?", prefix + "%");
    }

    private static long lastExplainedMillis(String prefix) throws Exception {
        return query("select coalesce(floor(extract(epoch from max(created_at)) * 1000), 0)::bigint from xai.explanation"
                + " where request_id like ?", prefix + "%");
    }

    private static long firstStoredAfterMillis(String prefix, long epochMillis) throws Exception {
        try (Connection c = platform.db.connect(); PreparedStatement ps = c.prepareStatement(
                "select coalesce(floor(extract(epoch from min(stored_at)) * 1000), -1)::bigint from xai.prediction"
                        + " where request_id like ? and stored_at > to_timestamp(? / 1000.0)")) {
            ps.setString(1, prefix + "%");
            ps.setLong(2, epochMillis);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long query(String sql, String like) throws Exception {
        try (Connection c = platform.db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, like);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static int[] pair(String sql, String prefix) throws Exception {
        try (Connection c = platform.db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new int[] {rs.getInt(1), rs.getInt(2)};
            }
        }
    }
}
