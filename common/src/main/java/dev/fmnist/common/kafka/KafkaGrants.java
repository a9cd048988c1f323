package dev.fmnist.common.kafka;

import dev.fmnist.common.messaging.Topics;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * What each service's Kafka principal is allowed on a broker that enforces ACLs, and nothing more (least
 * privilege): READ on the topics it consumes and on its consumer groups, WRITE on the topics it produces to.
 * READ and WRITE each imply DESCRIBE, which the services' access check (a topic description, {@link KafkaAccess})
 * and the producers' metadata requests need. No topic creation: Strimzi or {@code tools topics} make the topics.
 *
 * <p>The one table of these grants, as {@link Topics#ALL} is of the topics: test-support's
 * {@code SecureKafkaBroker} creates its ACLs from it, and deploy/k8s-tests checks the Strimzi KafkaUsers of
 * deploy/k8s against it and it against the topics and groups each service's application.properties and access
 * check name (docs/architecture.md, "Kafka edge").
 */
public final class KafkaGrants {

    /**
     * One service's grants. {@code groups} are literal consumer group names; {@code groupPrefixes} cover the
     * per-instance groups of {@code fmnist.models} ({@code inference-models-<uuid>}: every instance reads every
     * model event), granted by prefix.
     */
    public record Grant(String service, List<String> reads, List<String> writes, List<String> groups,
                        List<String> groupPrefixes) {
        public Grant {
            reads = List.copyOf(reads);
            writes = List.copyOf(writes);
            groups = List.copyOf(groups);
            groupPrefixes = List.copyOf(groupPrefixes);
        }
    }

    public static final Grant TRAINER = new Grant("trainer-service",
            List.of(), List.of(Topics.MODELS), List.of(), List.of());
    public static final Grant INFERENCE = new Grant("inference-service",
            List.of(Topics.IMAGES, Topics.MODELS),
            List.of(Topics.PREDICTIONS, Topics.IMAGES_DLQ),
            List.of("inference-service"), List.of("inference-models-"));
    /** explainer-service also writes fmnist.images: photos uploaded through its web page go to inference-service. */
    public static final Grant EXPLAINER = new Grant("explainer-service",
            List.of(Topics.PREDICTIONS, Topics.MODELS),
            List.of(Topics.EXPLANATIONS, Topics.PREDICTIONS_DLQ, Topics.IMAGES),
            List.of("explainer-service"), List.of("explainer-models-"));

    /** The three services' grants, by service name. */
    public static final Map<String, Grant> SERVICES = Map.of(
            TRAINER.service(), TRAINER, INFERENCE.service(), INFERENCE, EXPLAINER.service(), EXPLAINER);

    private KafkaGrants() {
    }

    public static Grant of(String service) {
        Grant g = SERVICES.get(service);
        if (g == null) {
            throw new NoSuchElementException("no Kafka grants for " + service + "; services: " + SERVICES.keySet());
        }
        return g;
    }
}
