package dev.fmnist.common.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One topic of the platform as every environment creates it: the local stack, the tests' brokers and the
 * Strimzi KafkaTopics of deploy/k8s (checked by deploy/k8s-tests). {@code configs} are Kafka topic configs
 * ({@code cleanup.policy}, {@code retention.ms}, ...), as a KafkaTopic's {@code spec.config} carries them.
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String RETENTION_MS = "retention.ms";

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, not " + partitions);
        }
        configs = Map.copyOf(configs);
        if (!configs.containsKey(CLEANUP_POLICY)) {
            throw new IllegalArgumentException("topic " + name + ": no " + CLEANUP_POLICY);
        }
    }

    public String cleanupPolicy() {
        return configs.get(CLEANUP_POLICY);
    }

    public boolean compacted() {
        return cleanupPolicy().contains("compact");
    }

    /** Empty for a compacted topic without a time limit. */
    public OptionalLong retentionMs() {
        String v = configs.get(RETENTION_MS);
        return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
    }
}
