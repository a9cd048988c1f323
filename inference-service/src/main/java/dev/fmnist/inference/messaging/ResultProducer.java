package dev.fmnist.inference.messaging;

import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.inference.config.InferenceConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends the records a batch of images gives ({@code fmnist.predictions}, {@code fmnist.images.dlq})
 * with one plain Kafka producer, counting each broker acknowledgement on the batch's
 * {@link BatchCompletion} (so offsets are still committed only after every record is acknowledged).
 *
 * <p>Why not a SmallRye {@code Emitter}: one batch of 256 images gives 256 records, and the
 * emitter's per-message path (a {@code Message} with metadata, Mutiny, context propagation,
 * tracing, then the acknowledgement back through the same layers on the producer's I/O thread) took
 * about a quarter of the service's Java CPU under load, more than the JSON of the predictions
 * (JFR, benchmarks/NOTES.md). The producer batches per partition itself ({@code linger.ms},
 * {@code batch.size}); acks=all and idempotence as before.
 */
@ApplicationScoped
public class ResultProducer {
    private final KafkaProducer<String, byte[]> producer;

    public ResultProducer(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                          InferenceConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "inference-service-results");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) config.producer().linger().toMillis());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.producer().batchSize());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Registers the send on the batch, then hands the record to the producer (which does not block while its buffer has room). */
    public void send(String topic, String key, byte[] value, List<? extends Header> headers, BatchCompletion completion) {
        completion.sending();
        try {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, key, value,
                    headers.isEmpty() ? null : List.copyOf(headers));
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    completion.acknowledged();
                } else {
                    completion.failed(error);
                }
            });
        } catch (RuntimeException e) {
            completion.failed(e);
        }
    }

    /** Sends what is buffered and waits for the acknowledgements (bounded), so a clean stop commits its last batches. */
    void close(@Observes ShutdownEvent event) {
        producer.close(Duration.ofSeconds(10));
    }
}
