package dev.fmnist.common.messaging;

import dev.fmnist.common.kafka.TopicSpec;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The platform's Kafka topics: their names, the one table of their partitions and policies ({@link #ALL}),
 * and the DLQ headers. The local stack and the tests' brokers create topics from {@link #ALL}
 * ({@link dev.fmnist.common.kafka.TopicAdmin}); deploy/k8s-tests checks the Strimzi KafkaTopics against it.
 * Their contracts: docs/architecture.md ("Topics").
 */
public final class Topics {
    public static final String IMAGES = "fmnist.images";
    public static final String PREDICTIONS = "fmnist.predictions";
    public static final String MODELS = "fmnist.models";
    public static final String IMAGES_DLQ = "fmnist.images.dlq";
    public static final String PREDICTIONS_DLQ = "fmnist.predictions.dlq";
    public static final String EXPLANATIONS = "fmnist.explanations";

    private static final long DAY_MS = 86_400_000L;
    private static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    /** Images may be photos: up to 10 MiB a record (the default limit is 1 MiB). */
    private static final String TEN_MIB = "10485760";

    /**
     * Every topic with its partitions and policies. The two high-volume topics get 4 partitions (at most
     * one consumer replica each); fmnist.models is compacted (the newest ModelPublished per model
     * survives); dead letters are kept 30 days, time to look at poison records.
     */
    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(IMAGES, 4, Map.of(TopicSpec.CLEANUP_POLICY, "delete",
                    TopicSpec.RETENTION_MS, String.valueOf(7 * DAY_MS), MAX_MESSAGE_BYTES, TEN_MIB)),
            new TopicSpec(PREDICTIONS, 4, Map.of(TopicSpec.CLEANUP_POLICY, "delete",
                    TopicSpec.RETENTION_MS, String.valueOf(7 * DAY_MS))),
            // roll daily so that old versions get compacted away
            new TopicSpec(MODELS, 1, Map.of(TopicSpec.CLEANUP_POLICY, "compact",
                    "min.compaction.lag.ms", "0", "segment.ms", String.valueOf(DAY_MS))),
            new TopicSpec(IMAGES_DLQ, 1, Map.of(TopicSpec.CLEANUP_POLICY, "delete",
                    TopicSpec.RETENTION_MS, String.valueOf(30 * DAY_MS), MAX_MESSAGE_BYTES, TEN_MIB)),
            new TopicSpec(PREDICTIONS_DLQ, 1, Map.of(TopicSpec.CLEANUP_POLICY, "delete",
                    TopicSpec.RETENTION_MS, String.valueOf(30 * DAY_MS))),
            new TopicSpec(EXPLANATIONS, 1, Map.of(TopicSpec.CLEANUP_POLICY, "delete",
                    TopicSpec.RETENTION_MS, String.valueOf(7 * DAY_MS))));

    /** The table's entry of {@code name}. */
    public static TopicSpec spec(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no topic " + name + " in Topics.ALL"));
    }

    /** Header of a dead-letter record: the kind of problem (see {@link InvalidMessageException.Reason}). */
    public static final String HEADER_ERROR_CLASS = "error-class";
    /** Header of a dead-letter record: a human-readable reason. */
    public static final String HEADER_ERROR_MESSAGE = "error-message";
    /** W3C trace context, forwarded when a record came with one. */
    public static final String HEADER_TRACEPARENT = "traceparent";

    private Topics() {
    }
}
