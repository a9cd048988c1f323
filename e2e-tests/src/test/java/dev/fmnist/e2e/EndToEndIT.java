package dev.fmnist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.testsupport.KafkaTestClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole platform as the local stack runs it ({@link Platform}): 200 test images go in through
 * {@code fmnist.images}, each asking {@code lenet} for explanations.
 */
class EndToEndIT {
    private static final int IMAGES = 200;
    private static final String PREFIX = "e2e-" + System.currentTimeMillis() + "-";

    private static Platform platform;

    @BeforeAll
    static void startThePlatform() throws Exception {
        platform = Platform.get();
    }

    @Test
    void everyImageIsScoredOnceExplainedAndStoredAndTheStoredAccuracyIsTheModelsOwn() throws Exception {
        LabelledImages test = FashionMnist.load().test().head(IMAGES);
        try (KafkaTestClient kafka = new KafkaTestClient(platform.bootstrap)) {
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
            List<String> predicted = kafka.read(Topics.PREDICTIONS, Integer.MAX_VALUE, Duration.ofSeconds(10)).stream()
                    .map(r -> r.key()).filter(k -> k.startsWith(PREFIX)).toList();
            assertThat(predicted).hasSize(IMAGES).doesNotHaveDuplicates();
            assertThat(kafka.read(Topics.EXPLANATIONS, Integer.MAX_VALUE, Duration.ofSeconds(10)))
                    .filteredOn(r -> r.key().startsWith(PREFIX)).hasSize(2 * IMAGES);
        }

        // the accuracy of the stored predictions equals the registered model's own on the same images
        StoredModel lenet = new ModelRegistryReader(platform.dataSource()).latest("lenet").orElseThrow();
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

    private static long count(String sql) throws Exception {
        return platform.count(sql, PREFIX + "%");
    }

    private static String errors() throws Exception {
        try (Connection c = platform.db.connect(); PreparedStatement ps = c.prepareStatement(
                "select string_agg(distinct error, '; ') from xai.explanation where status = 'failed'")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static long endOffset(String topic) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap);
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
