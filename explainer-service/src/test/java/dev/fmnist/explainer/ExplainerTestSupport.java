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
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

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
