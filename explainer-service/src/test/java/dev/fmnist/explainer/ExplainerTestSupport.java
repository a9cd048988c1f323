package dev.fmnist.explainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the explainer's integration tests share: test images, real predictions, reading topics back. */
public final class ExplainerTestSupport {
    private static LabelledImages testImages;

    private ExplainerTestSupport() {
    }

    public static synchronized LabelledImages testImages() {
        if (testImages == null) {
            testImages = FashionMnist.load().test().head(200);
        }
        return testImages;
    }

    /** The prediction {@code model} makes for test image {@code image}, as inference-service would send it. */
    public static Prediction predict(ModelScorer model, String requestId, int image, boolean explain, Instant scoredAt) {
        LabelledImages images = testImages();
        float[] p = model.score(Pixels.toModelInput(images.image(image)), 1);
        int label = ModelScorers.argmax(p, 0);
        return new Prediction(requestId, new dev.fmnist.common.messaging.ModelRef(model.name(), model.version()), label,
                FashionClass.ofLabel(label).displayName(), p, Pixels.toBase64(images.image(image)), scoredAt, 3.5,
                explain, images.label(image));
    }

    /**
     * Records of {@code topic} whose key passes {@code keys}, read from the beginning until {@code
     * expected} arrived or the time is up, plus what arrives within {@code settle} after.
     */
    public static List<ConsumerRecord<String, byte[]>> readByKey(String topic, Predicate<String> keys, int expected,
                                                                 Duration timeout, Duration settle) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && keys.test(r.key())) {
                        out.add(r);
                    }
                }
                if (out.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return out;
    }

    /** Waits until the explainer's consumer group has committed the end of every partition of {@code topic}. */
    public static void awaitOffsetsCommitted(String group, String topic, int partitions) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int i = 0; i < partitions; i++) {
                    latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
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
