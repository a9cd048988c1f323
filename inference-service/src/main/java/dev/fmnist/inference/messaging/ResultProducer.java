package dev.fmnist.inference.messaging;

import dev.fmnist.common.kafka.BatchProducer;
import dev.fmnist.inference.config.InferenceConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The plain Kafka producer of the records a batch of images gives ({@code fmnist.predictions},
 * {@code fmnist.images.dlq}): built from the same {@code kafka.*} settings as the SmallRye channels
 * (Quarkus' {@code default-kafka-broker} map: bootstrap, security, SASL, SSL, compression...),
 * overlaid with its own tuning ({@code inference.producer.*}: linger, batch size), acks=all and
 * idempotent. Why a plain producer rather than an emitter: {@link BatchProducer}.
 */
@ApplicationScoped
public class ResultProducer {
    private final BatchProducer producer;

    public ResultProducer(@Identifier("default-kafka-broker") Map<String, Object> kafka, InferenceConfig config) {
        Map<String, Object> tuning = new java.util.HashMap<>(BatchProducer.RIDE_OUT_BROKER_OUTAGES);
        tuning.putAll(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "inference-service-results",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, (int) config.producer().linger().toMillis(),
                ProducerConfig.BATCH_SIZE_CONFIG, config.producer().batchSize()));
        producer = BatchProducer.of(kafka, tuning, config.producer().sendAtBatchEnd());
    }

    public BatchProducer producer() {
        return producer;
    }

    /** Sends what is buffered and waits for the acknowledgements (bounded), so a clean stop commits its last batches. */
    void close(@Observes ShutdownEvent event) {
        producer.close();
    }
}
