package dev.fmnist.common.kafka;

import dev.fmnist.common.messaging.BatchCompletion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
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
import org.jboss.logging.Logger;

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
 *
 * <p>{@link #sendNow()}: a consumer batch ends with all of its records handed over, and no more are coming for it, so
 * waiting out {@code linger.ms} only adds latency. Kafka's producer has no "send what you hold, don't wait" call but
 * {@code flush()}, which blocks until the broker acknowledged; a thread of this producer's own ({@code sendNow} just
 * wakes it) calls it, so the caller never waits, and requests made while it flushes are folded into one.
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

    private static final Logger LOG = Logger.getLogger(BatchProducer.class);

    private final Properties config;
    private final Producer<String, byte[]> producer;
    /** Wakes the flusher; null where {@link #sendNow()} does nothing. */
    private final Semaphore flushes;
    private final Thread flusher;

    /** @param config the whole producer configuration, e.g. {@link KafkaClientSettings#producer} */
    public BatchProducer(Properties config) {
        this(config, false);
    }

    /**
     * @param config  the whole producer configuration, e.g. {@link KafkaClientSettings#producer}
     * @param sendNow whether {@link #sendNow()} sends what is buffered at once (else it waits for {@code linger.ms})
     */
    public BatchProducer(Properties config, boolean sendNow) {
        this.config = new Properties();
        this.config.putAll(config);
        this.config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        this.config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        if (sendNow) {
            this.flushes = new Semaphore(0);
            this.flusher = new Thread(this::flushWhenAsked,
                    "batch-producer-flusher-" + config.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "producer"));
            this.flusher.setDaemon(true);
            this.flusher.start();
        } else {
            this.flushes = null;
            this.flusher = null;
        }
    }

    /**
     * A service's producer: the client settings of its {@code kafka.*} map (Quarkus'
     * {@code default-kafka-broker}, see {@link KafkaClientSettings#of}) overlaid with its own {@code tuning}.
     */
    public static BatchProducer of(Map<String, ?> kafka, Map<String, ?> tuning) {
        return of(kafka, tuning, false);
    }

    /** {@link #of(Map, Map)}, with {@link #sendNow()} sending at once when {@code sendNow}. */
    public static BatchProducer of(Map<String, ?> kafka, Map<String, ?> tuning, boolean sendNow) {
        return new BatchProducer(KafkaClientSettings.of(kafka).producer(tuning), sendNow);
    }

    /** Around a producer made elsewhere (tests: {@code MockProducer}); {@link #sendNow()} does nothing. */
    public BatchProducer(Producer<String, byte[]> producer) {
        this.config = new Properties();
        this.producer = producer;
        this.flushes = null;
        this.flusher = null;
    }

    /**
     * Asks for the records handed over so far to be sent without waiting for {@code linger.ms}; returns at once (the
     * acknowledgements still come through each send's {@link BatchCompletion}).
     */
    public void sendNow() {
        if (flushes != null) {
            flushes.release();
        }
    }

    private void flushWhenAsked() {
        try {
            while (true) {
                flushes.acquire();
                flushes.drainPermits(); // asked again while the last flush ran: one flush covers them all
                try {
                    producer.flush();
                } catch (org.apache.kafka.common.errors.InterruptException e) {
                    return;
                } catch (RuntimeException e) {
                    // a failed record reaches its batch through the send's callback; the flusher goes on
                    LOG.debugf("flush failed: %s", e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
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
        if (flusher != null) {
            flusher.interrupt();
            try {
                flusher.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
