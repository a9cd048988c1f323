package dev.fmnist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.common.registry.ModelRegistryReader;
import dev.fmnist.common.registry.StoredModel;
import dev.fmnist.common.scoring.ModelScorer;
import dev.fmnist.common.scoring.ModelScorers;
import dev.fmnist.common.scoring.ScorerOptions;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.process.ServiceProcess;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The whole platform as the local stack runs it: a real Kafka broker and PostgreSQL, the trainer's
 * CLI training {@code lenet} on a subset, then inference-service and explainer-service as their own
 * JVMs. 200 test images go in through {@code fmnist.images}, each asking for explanations.
 */
class EndToEndIT {
    private static final int IMAGES = 200;
    private static final String PREFIX = "e2e-" + System.currentTimeMillis() + "-";
    /** Where the services run and log: this module's build folder. */
    private static final Path WORK_DIR = Path.of("target").toAbsolutePath();

    private static PostgresDatabaseTestResource.Database db;
    private static String bootstrap;
    private static Map<String, String> env;
    private static ServiceProcess inference;
    private static ServiceProcess explainer;

    @BeforeAll
    static void startThePlatform() throws Exception {
        bootstrap = KafkaBrokerTestResource.bootstrapServers();
        db = PostgresDatabaseTestResource.database();
        env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());

        // the trainer's CLI: lenet on 3,000 images, registered and announced on fmnist.models
        try (ServiceProcess trainer = ServiceProcess.start("trainer-service", env, WORK_DIR, "train", "--model", "lenet",
                "--epochs", "2", "--limit", "3000", "--out", "e2e-models")) {
            assertThat(trainer.awaitExit(Duration.ofMinutes(4))).as(trainer.tail()).isZero();
        }

        Map<String, String> inferenceEnv = new HashMap<>(env);
        inferenceEnv.put("INFERENCE_MODELS", "lenet");
        inferenceEnv.put("INFERENCE_THREADS", "1");
        inference = ServiceProcess.start("inference-service", inferenceEnv, WORK_DIR);
        Map<String, String> explainerEnv = new HashMap<>(env);
        explainerEnv.put("EXPLAINER_SAMPLE_RATE", "0");
        explainer = ServiceProcess.start("explainer-service", explainerEnv, WORK_DIR);
        inference.awaitReady(Duration.ofMinutes(3));
        explainer.awaitReady(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stopThePlatform() {
        if (explainer != null) {
            explainer.close();
        }
        if (inference != null) {
            inference.close();
        }
    }

    @Test
    void everyImageIsScoredOnceExplainedAndStoredAndTheStoredAccuracyIsTheModelsOwn() throws Exception {
        LabelledImages test = FashionMnist.load().test().head(IMAGES);
        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            for (int i = 0; i < IMAGES; i++) {
                ScoreRequest request = new ScoreRequest(PREFIX + i, test.image(i), "lenet", true, Instant.now(),
                        test.label(i));
                kafka.sendAsync(Topics.IMAGES, request.id(), Json.write(request));
            }
            kafka.flush();

            // every prediction and both explanations of every image are stored
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(count("select count(*) from xai.prediction where request_id like ?")).isEqualTo(IMAGES);
                assertThat(count("select count(*) from xai.explanation where request_id like ?")).isEqualTo(2L * IMAGES);
            });
            assertThat(count("select count(distinct request_id) from xai.prediction where model_name = 'lenet' and request_id like ?"))
                    .isEqualTo(IMAGES);
            assertThat(count("select count(*) from xai.explanation where status = 'succeeded' and request_id like ?"))
                    .as("failed explanations: " + errors()).isEqualTo(2L * IMAGES);
            assertThat(count("select count(*) from (select request_id from xai.explanation where request_id like ?"
                    + " group by request_id having count(distinct method) = 2) x")).isEqualTo(IMAGES);

            // one prediction per request and model on the topic, and an event per stored explanation
            List<String> predicted = kafka.read(Topics.PREDICTIONS, IMAGES + 1, Duration.ofSeconds(15)).stream()
                    .map(r -> r.key()).filter(k -> k.startsWith(PREFIX)).toList();
            assertThat(predicted).hasSize(IMAGES).doesNotHaveDuplicates();
            assertThat(kafka.read(Topics.EXPLANATIONS, 2 * IMAGES + 1, Duration.ofSeconds(15)))
                    .filteredOn(r -> r.key().startsWith(PREFIX)).hasSize(2 * IMAGES);
        }

        // the accuracy of the stored predictions equals the registered model's own on the same images
        StoredModel lenet = new ModelRegistryReader(dataSource()).latest("lenet").orElseThrow();
        int[] own = new int[IMAGES];
        try (ModelScorer scorer = ModelScorers.open(lenet, ScorerOptions.cpu().withThreads(1))) {
            float[] input = new float[IMAGES * Pixels.COUNT];
            for (int i = 0; i < IMAGES; i++) {
                Pixels.toModelInput(test.image(i), input, i * Pixels.COUNT);
            }
            float[] probabilities = scorer.score(input, IMAGES);
            for (int i = 0; i < IMAGES; i++) {
                own[i] = ModelScorers.argmax(probabilities, i);
            }
        }
        int ownCorrect = 0;
        for (int i = 0; i < IMAGES; i++) {
            ownCorrect += own[i] == test.label(i) ? 1 : 0;
        }
        long storedCorrect = count("select count(*) from xai.prediction where request_id like ? and label = true_label");
        assertThat(storedCorrect).isEqualTo(ownCorrect);
        assertThat(ownCorrect).as("a trained model, not chance").isGreaterThan(IMAGES / 2);
        assertThat(count("select count(*) from xai.prediction where request_id like ? and model_version = "
                + lenet.version())).isEqualTo(IMAGES);

        // nothing went to a dead-letter topic
        assertThat(endOffset(Topics.IMAGES_DLQ)).isZero();
        assertThat(endOffset(Topics.PREDICTIONS_DLQ)).isZero();
    }

    private static DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(db.jdbcUrl());
        ds.setUser(db.user());
        ds.setPassword(db.password());
        return ds;
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (sql.contains("?")) {
                ps.setString(1, PREFIX + "%");
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String errors() throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "select string_agg(distinct error, '; ') from xai.explanation where status = 'failed'")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static long endOffset(String topic) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                request.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            return admin.listOffsets(request).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }
}
