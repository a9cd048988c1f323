package dev.fmnist.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from its current end, on a thread of its own, for the duration of one scenario, and
 * counts every delivery of the records whose key starts with the scenario's prefix: Kafka delivers at
 * least once, so after a crash a record may arrive twice; the stored results must still be one per
 * request. A plain consumer without a group: it outlives a broker restart like any client.
 */
final class TopicWatcher implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final String prefix;
    private final Function<ConsumerRecord<String, byte[]>, String> identity;
    private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> createTimes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ConsumerRecord<String, byte[]>> kept = new ConcurrentLinkedQueue<>();
    private final boolean keep;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param identity what makes a record unique (the key, or key and method for explanation events)
     * @param keep     whether to keep the records themselves (for their headers), not only count them
     */
    TopicWatcher(String bootstrap, String topic, String prefix, Function<ConsumerRecord<String, byte[]>, String> identity,
                 boolean keep) {
        this.keep = keep;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.prefix = prefix;
        this.identity = identity;
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fixes the start now, before the scenario sends anything
        thread = new Thread(this::run, "topic-watcher-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(prefix)) {
                        deliveries.computeIfAbsent(identity.apply(r), k -> new AtomicInteger()).incrementAndGet();
                        createTimes.add(r.timestamp());
                        if (keep) {
                            kept.add(r);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The records seen so far (only when kept). */
    List<ConsumerRecord<String, byte[]>> records() {
        return List.copyOf(kept);
    }

    int distinct() {
        return deliveries.size();
    }

    int deliveries() {
        return deliveries.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Deliveries beyond the first of the same record: what the idempotent storage must collapse. */
    int duplicateDeliveries() {
        return deliveries() - distinct();
    }

    /** The earliest producer timestamp (epoch ms) after {@code epochMillis} among the watched records, or -1. */
    long firstCreatedAfter(long epochMillis) {
        return createTimes.stream().mapToLong(Long::longValue).filter(t -> t > epochMillis).min().orElse(-1);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
