package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** KafkaTopics equal the local stack's topics and the services' configuration; brokers and KEDA fit them. */
class KafkaTest {

    static Map<String, Set<String>> serviceTopics() {
        Map<String, Set<String>> out = new TreeMap<>();
        Repo.SERVICES.forEach(s -> out.put(s, Checks.config(s).topics()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void topicsMatchTheScriptTheConstantsAndTheServices(String overlay) {
        Manifests m = Kustomize.overlay(overlay);
        assertThat(KafkaChecks.topics(m, KafkaChecks.tableTopics(), serviceTopics())).as(overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void brokersCarryTheReplicationFactors(String overlay) {
        assertThat(KafkaChecks.brokers(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void kedaScalesOnTheServicesOwnConsumerGroups(String overlay) {
        assertThat(KafkaChecks.scaling(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @Test
    void theSourcesAreReadAsExpected() {
        assertThat(KafkaChecks.tableTopics()).containsOnlyKeys("fmnist.images", "fmnist.predictions", "fmnist.models",
                "fmnist.images.dlq", "fmnist.predictions.dlq", "fmnist.explanations");
        assertThat(KafkaChecks.tableTopics().get("fmnist.images").partitions()).isEqualTo(4);
        assertThat(KafkaChecks.tableTopics().get("fmnist.models").compacted()).isTrue();
        assertThat(serviceTopics().get("inference-service")).contains("fmnist.images", "fmnist.predictions", "fmnist.models");
        ServiceConfig.Channel images = Checks.config("inference-service").incoming().get("images");
        assertThat(images.topic()).isEqualTo("fmnist.images");
        assertThat(images.groupId()).isEqualTo("inference-service");
        assertThat(images.autoOffsetReset()).contains("earliest");
        // a channel without group.id consumes as quarkus.application.name (Quarkus' default)
        ServiceConfig c = ServiceConfig.fromProperties("x", """
                quarkus.application.name=explainer-service
                mp.messaging.incoming.predictions.connector=smallrye-kafka
                mp.messaging.incoming.predictions.topic=fmnist.predictions
                """);
        assertThat(c.incoming().get("predictions").groupId()).isEqualTo("explainer-service");
    }

    @Test
    void partitionsOrCompactionThatDifferFromTheLocalStackAreCaught() {
        Manifests broken = Kustomize.overlay("prod")
                .with("KafkaTopic", "fmnist.images", t -> ((ObjectNode) t.path("spec")).put("partitions", 8))
                .with("KafkaTopic", "fmnist.models", t -> ((ObjectNode) t.path("spec").path("config")).put("cleanup.policy", "delete"))
                .with("KafkaTopic", "fmnist.images.dlq", t -> ((ObjectNode) t.path("spec").path("config")).put("retention.ms", "3600000"));
        assertThat(KafkaChecks.topics(broken, KafkaChecks.tableTopics(), serviceTopics()))
                .anySatisfy(p -> assertThat(p).contains("fmnist.images.dlq: retention.ms=3600000, the topic table has 2592000000"))
                .anySatisfy(p -> assertThat(p).contains("fmnist.images: 8 partitions, the topic table (common's Topics.ALL) has 4"))
                .anySatisfy(p -> assertThat(p).contains("fmnist.models: not compacted"));
        Manifests missing = Kustomize.overlay("dev").without("KafkaTopic", "fmnist.predictions.dlq");
        assertThat(KafkaChecks.topics(missing, KafkaChecks.tableTopics(), serviceTopics()))
                .anySatisfy(p -> assertThat(p).contains("fmnist.predictions.dlq of the topic table has no KafkaTopic"));
    }

    @Test
    void moreReplicasThanPartitionsOrAForeignConsumerGroupAreCaught() {
        Manifests broken = Kustomize.overlay("dev").with("ScaledObject", "inference-service", so -> {
            ((ObjectNode) so.path("spec")).put("maxReplicaCount", 8);
            ((ObjectNode) so.path("spec").path("triggers").get(0).path("metadata")).put("consumerGroup", "inference");
        });
        assertThat(KafkaChecks.scaling(broken))
                .anySatisfy(p -> assertThat(p).contains("maxReplicaCount 8 above the 4 partitions of fmnist.images"))
                .anySatisfy(p -> assertThat(p).contains("consumerGroup inference but inference-service's channel images"));
    }

    @Test
    void aReplicationFactorAboveTheBrokerCountIsCaught() {
        Manifests broken = Kustomize.overlay("dev").with("Kafka", "fmnist", k ->
                ((ObjectNode) k.path("spec").path("kafka").path("config")).put("default.replication.factor", 3));
        assertThat(KafkaChecks.brokers(broken)).singleElement().asString().contains("default.replication.factor=3 but only 1 brokers");
    }
}
