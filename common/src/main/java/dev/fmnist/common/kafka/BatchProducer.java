package dev.fmnist.common.kafka;

import dev.fmnist.common.messaging.BatchCompletion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One plain Kafka producer (String keys, byte[] values) whose sends count on a batch's {@link
 * BatchCompletion}: the record is registered before it is handed over and acknowledged from the
 * producer's callback, so offsets are committed only after the broker has every record.
 *
 * <p>Why not a SmallRye {@code Emitter}: one batch of 256 images gives 256 records, and the
 * emitter's per-message path (a {@code Message} with metadata, Mutiny, context propagation,
 * tracing, then the acknowledgement back through the same layers on the producer's I/O thread) took
 * about a quarter of the inference service's Java CPU under load (JFR, benchmarks/NOTES.md). The
 * producer batches per partition itself ({@code linger.ms}, {@code batch.size}).
 */
public final class BatchProducer implements AutoCloseable {
    /**
     * Tuning of a consumer's result producer: a broker away for up to 5 minutes (a restart, a leader election)
     * delays the batches instead of failing them. A failed batch is nacked, and a nacked SmallRye channel stops
     * consuming for good (fail-stop) while the service stays up: a silent stall. Kafka's defaults (60 s to wait
     * for metadata, 120 s to deliver) are shorter than a slow broker restart on a loaded machine.
     */
    public static final Map<String, Object> RIDE_OUT_BROKER_OUTAGES = Map.of(
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);

    private final Properties config;
    private final Producer<String, byte[]> producer;

    /** @param config the whole producer configuration, e.g. {@link KafkaClientSettings#producer} */
    public BatchProducer(Properties config) {
        this.config = new Properties();
        this.config.putAll(config);
        this.config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        this.config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A service's producer: the client settings of its {@code kafka.*} map (Quarkus'
     * {@code default-kafka-broker}, see {@link KafkaClientSettings#of}) overlaid with its own {@code tuning}.
     */
    public static BatchProducer of(Map<String, ?> kafka, Map<String, ?> tuning) {
        return new BatchProducer(KafkaClientSettings.of(kafka).producer(tuning));
    }

    /** Around a producer made elsewhere (tests: {@code MockProducer}). */
    public BatchProducer(Producer<String, byte[]> producer) {
        this.config = new Properties();
        this.producer = producer;
    }

    /** The configuration the producer was built from, with its serializers (e.g. for {@code new ProducerConfig(config())}). */
    public Properties config() {
        Properties copy = new Properties();
        copy.putAll(config);
        return copy;
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

    /** Sends one record and waits until the broker has it; a refused send is an {@link ExecutionException}. */
    public void sendAndWait(String topic, String key, byte[] value, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        java.util.concurrent.Future<?> sent;
        try {
            sent = producer.send(new ProducerRecord<>(topic, key, value));
        } catch (KafkaException e) {
            throw new ExecutionException(e);
        }
        sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends what is buffered and waits for the acknowledgements (bounded), so a clean stop commits its last batches. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
