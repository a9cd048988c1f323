package dev.fmnist.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** fmnist.images to fmnist.predictions through the real broker, scored by the registered models. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class KafkaScoringIT {
    Map<String, RegistryFixture.Version> models;

    @BeforeEach
    void ready() {
        models = InferenceTestSupport.standardModelsReady();
    }

    @Test
    void everyValidRequestGetsOnePredictionPerModelWithTheVersionThatScoredIt() throws Exception {
        LabelledImages images = InferenceTestSupport.testImages();
        String prefix = "score-" + UUID.randomUUID() + "-";
        Map<String, Integer> imageOf = new HashMap<>();
        Map<String, String> modelOf = new HashMap<>();
        String[] asked = {"all", "lenet", "cnn", "xgboost", "forest"};
        int expected = 0;
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            for (int i = 0; i < 40; i++) {
                String id = prefix + i;
                String model = asked[i % asked.length];
                imageOf.put(id, i);
                modelOf.put(id, model);
                expected += model.equals("all") ? 4 : 1;
                // span ids must not be all zeros (W3C): i + 1
                kafka.send(Topics.IMAGES, id, InferenceTestSupport.request(id, i, model),
                        new RecordHeader(Topics.HEADER_TRACEPARENT,
                                ("00-" + "0af7651916cd43dd8448eb211c80319c" + "-" + String.format("%016x", i + 1) + "-01")
                                        .getBytes(StandardCharsets.UTF_8)));
            }
        }
        List<ConsumerRecord<String, byte[]>> records = KafkaTestClient.readByKey(Topics.PREDICTIONS,
                k -> k.startsWith(prefix), expected, Duration.ofSeconds(60), Duration.ofSeconds(1));
        assertThat(records).hasSize(expected);

        Map<String, ModelScorer> scorers = new HashMap<>();
        models.forEach((name, v) -> scorers.put(name, v.open()));
        try {
            Map<String, Set<String>> modelsById = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                Prediction p = Json.read(r.value(), Prediction.class);
                assertThat(p.requestId()).isEqualTo(r.key());
                int image = imageOf.get(p.requestId());
                String model = p.model().name();
                assertThat(modelsById.computeIfAbsent(p.requestId(), k -> new java.util.HashSet<>()).add(model))
                        .as("one prediction per model and request").isTrue();
                assertThat(p.model().version()).isEqualTo(models.get(model).version());
                float[] want = scorers.get(model).score(Pixels.toModelInput(images.image(image)), 1);
                assertThat(p.probabilities()).containsExactly(want, within(1e-5f));
                int label = dev.fmnist.runtime.scoring.ModelScorers.argmax(want, 0);
                assertThat(p.label()).isEqualTo(label);
                assertThat(p.className()).isEqualTo(FashionClass.ofLabel(label).displayName());
                assertThat(p.pixels()).isEqualTo(images.image(image));
                assertThat(p.trueLabel()).isEqualTo(images.label(image));
                assertThat(p.explain()).isEqualTo(image % 2 == 0);
                assertThat(p.latencyMs()).isBetween(0.0, 60_000.0);
                assertThat(p.scoredAt()).isBefore(Instant.now().plusSeconds(1));
                // the request's trace, under the consumer span of its record (TracingIT checks the spans)
                assertThat(KafkaTestClient.header(r, Topics.HEADER_TRACEPARENT))
                        .matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01")
                        .isNotEqualTo("00-0af7651916cd43dd8448eb211c80319c-" + String.format("%016x", image + 1) + "-01");
            }
            modelsById.forEach((id, got) -> assertThat(got).as(id).isEqualTo(
                    modelOf.get(id).equals("all") ? Set.of("cnn", "lenet", "xgboost", "forest") : Set.of(modelOf.get(id))));
            assertThat(modelsById).hasSize(40);
        } finally {
            scorers.values().forEach(ModelScorer::close);
        }
        assertOffsetsCommitted();
    }

    @Test
    void aPhotoIsPreprocessedAndThePredictionCarriesTheImageTheModelSaw() throws Exception {
        BufferedImage photo = new BufferedImage(90, 60, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = photo.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 90, 60);
        g.setColor(new java.awt.Color(120, 40, 40));
        g.fillRect(20, 10, 50, 40);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(photo, "png", png);
        String id = "photo-" + UUID.randomUUID();
        byte[] request = Json.write(new ScoreRequest(id, java.util.Base64.getEncoder().encodeToString(png.toByteArray()),
                "lenet", true, Instant.now(), null));
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.IMAGES, id, request);
        }
        Map<String, List<Prediction>> got = InferenceTestSupport.predictions(Set.of(id), 1, Duration.ofSeconds(30));
        assertThat(got.get(id)).singleElement().satisfies(p -> {
            assertThat(p.pixels()).isEqualTo(new ImagePreprocessor().preprocess(png.toByteArray()));
            assertThat(p.trueLabel()).isNull();
            assertThat(p.explain()).isTrue();
        });
    }

    /** The consumer group's committed offsets reach the end of fmnist.images once the batches are acknowledged. */
    private static void assertOffsetsCommitted() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("inference-service")
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int i = 0; i < KafkaBrokerTestResource.partitions(Topics.IMAGES); i++) {
                    latest.put(new TopicPartition(Topics.IMAGES, i), OffsetSpec.latest());
                }
                admin.listOffsets(latest).all().get().forEach((tp, info) -> {
                    if (info.offset() > 0) {
                        assertThat(committed.get(tp)).as("committed offset of " + tp).isNotNull();
                        assertThat(committed.get(tp).offset()).as("committed offset of " + tp).isEqualTo(info.offset());
                    }
                });
            });
        }
    }
}
