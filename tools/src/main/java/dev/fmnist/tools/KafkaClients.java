package dev.fmnist.tools;

import dev.fmnist.common.kafka.KafkaClientSettings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka clients of the tools: a batching producer and group-less consumers that start at the end of topics,
 * built from the same {@code kafka.*} settings as the services' clients ({@link KafkaClientSettings}) with their
 * own tuning on top.
 */
public final class KafkaClients {
    /** Reads no value: every record's value becomes null without being copied. */
    public static final Deserializer<Void> IGNORE_VALUES = (topic, data) -> null;

    private KafkaClients() {
    }

    /**
     * The tools' producer tuning (the load generator's speed), over the shared settings. A 15 ms linger: with 2 ms, at
     * half load the generator sent a batch of a few records per partition every 2 ms, and the broker's and
     * inference-service's cost per request took the 2 shared cores. At 15 ms, half-load p99 fell from 250-500 ms to
     * 145-180 ms (118-207 ms with inference-service batching too), full load unchanged (benchmarks/NOTES.md,
     * "Batching at moderate rates").
     */
    static final Map<String, Object> PRODUCER_TUNING = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 15,
            ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
            ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);

    /**
     * The tailing consumers' tuning, over the shared settings: fetches of 128 KiB or 15 ms, whichever comes first (the
     * load generator's reader of predictions, like the producer above: fewer, fuller requests to the shared broker).
     */
    static final Map<String, Object> CONSUMER_TUNING = Map.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 131_072,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 15,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);

    /** A batching producer with the shared client settings ({@link KafkaClientSettings}) and the tools' tuning. */
    public static KafkaProducer<String, byte[]> producer(KafkaClientSettings kafka) {
        return new KafkaProducer<>(producerConfig(kafka));
    }

    /**
     * The producers' compression when the settings name none ({@code kafka.compression.type}): lz4 takes 40 % off
     * the requests' bytes on the wire, JSON and Protobuf alike, for about 2 us of one core a record, a few per cent
     * of what a record costs end to end; zstd takes 50-58 % off for 7 us (docs/protobuf.md, "Compression").
     */
    static final String DEFAULT_COMPRESSION = "lz4";

    static java.util.Properties producerConfig(KafkaClientSettings kafka) {
        java.util.Properties p = kafka.producer(PRODUCER_TUNING);
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, DEFAULT_COMPRESSION);
        return p;
    }

    static java.util.Properties consumerConfig(KafkaClientSettings kafka) {
        return kafka.consumer(CONSUMER_TUNING);
    }

    /**
     * A consumer without a group, assigned every partition of {@code topics} and positioned at their
     * current ends, so that it sees exactly what arrives after this call returns.
     */
    public static KafkaConsumer<String, byte[]> tailFromNow(KafkaClientSettings kafka, String... topics) {
        return tailFromNow(kafka, new ByteArrayDeserializer(), topics);
    }

    /**
     * Like {@link #tailFromNow(KafkaClientSettings, String...)} with a value deserializer of one's own, e.g.
     * {@link #IGNORE_VALUES} where only keys matter (the load generator: no copy of each value).
     */
    public static <V> KafkaConsumer<String, V> tailFromNow(KafkaClientSettings kafka, Deserializer<V> values,
                                                           String... topics) {
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(consumerConfig(kafka), new StringDeserializer(),
                values);
        try {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end offsets now, before anything is sent
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw new IllegalStateException("cannot read " + String.join(", ", topics) + " on " + kafka.bootstrapServers() + ": "
                    + e.getMessage() + " (is the stack up? './fmnist status')", e);
        }
    }
}
