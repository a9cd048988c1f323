package dev.fmnist.tools;

import java.util.List;
import java.util.Properties;
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

/** The Kafka clients of the tools: a batching producer and group-less consumers that start at the end of topics. */
public final class KafkaClients {
    /** Reads no value: every record's value becomes null without being copied. */
    public static final Deserializer<Void> IGNORE_VALUES = (topic, data) -> null;

    private KafkaClients() {
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(p);
    }

    /**
     * A consumer without a group, assigned every partition of {@code topics} and positioned at their
     * current ends, so that it sees exactly what arrives after this call returns.
     */
    public static KafkaConsumer<String, byte[]> tailFromNow(String bootstrap, String... topics) {
        return tailFromNow(bootstrap, new ByteArrayDeserializer(), topics);
    }

    /**
     * Like {@link #tailFromNow(String, String...)} with a value deserializer of one's own, e.g.
     * {@link #IGNORE_VALUES} where only keys matter (the load generator: no copy of each value).
     */
    public static <V> KafkaConsumer<String, V> tailFromNow(String bootstrap, Deserializer<V> values, String... topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(p, new StringDeserializer(), values);
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
            throw new IllegalStateException("cannot read " + String.join(", ", topics) + " on " + bootstrap + ": "
                    + e.getMessage() + " (is the stack up? './fmnist status')", e);
        }
    }
}
