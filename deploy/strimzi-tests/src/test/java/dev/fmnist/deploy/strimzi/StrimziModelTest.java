package dev.fmnist.deploy.strimzi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.KafkaAuthorizationSimple;
import io.strimzi.api.kafka.model.kafka.listener.KafkaListenerAuthenticationScramSha512;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.StrimziAclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every Strimzi resource of every overlay against Strimzi's own v1 model (StrimziModel), and the
 * ways to break one that it must catch: the old API version, fields v1 removed, typos, wrong types,
 * unknown enum values and type discriminators, the model's @Minimum, @Pattern and required rules.
 */
class StrimziModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void everyStrimziResourceIsValidForStrimzisV1Model(String overlay) {
        List<ObjectNode> strimzi = Overlays.strimzi(overlay);
        assertThat(strimzi).extracting(d -> d.path("kind").asText()).contains("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser");
        assertThat(strimzi).hasSizeGreaterThanOrEqualTo(8);
        assertThat(StrimziModel.validate(strimzi)).as(overlay).isEmpty();
    }

    @Test
    void theModelIsStrimzisV1() {
        assertThat(Runtime.version().feature()).as("the test JVM (io.strimzi:api is compiled for Java 21)").isGreaterThanOrEqualTo(21);
        // the model's CRD versions: Strimzi 1.x generates and serves v1 only
        assertThat(io.strimzi.api.kafka.model.kafka.Kafka.RESOURCE_GROUP).isEqualTo("kafka.strimzi.io");
        assertThat(io.strimzi.api.kafka.model.kafka.Kafka.VERSIONS).containsExactly("v1");
        assertThat(io.strimzi.api.kafka.model.topic.KafkaTopic.VERSIONS).containsExactly("v1");
        assertThat(StrimziModel.inV1("v1+")).isTrue();
        assertThat(StrimziModel.inV1("v1beta2+")).isTrue();
        assertThat(StrimziModel.inV1("v1beta2")).isFalse();
        assertThat(StrimziModel.inV1("v1alpha1-v1beta2")).isFalse();
    }

    @Test
    void theV1beta2ApiIsRejected() {
        ObjectNode topic = broken("dev", "KafkaTopic", "fmnist.images", t -> t.put("apiVersion", "kafka.strimzi.io/v1beta2"));
        assertThat(StrimziModel.validate(topic)).singleElement().asString()
                .contains("KafkaTopic/fmnist.images").contains("serve only kafka.strimzi.io/v1");
    }

    @Test
    void fieldsThatV1RemovedAreRejected() {
        // v1beta2 allowed ZooKeeper and the brokers' replicas and storage in the Kafka resource; v1 has node pools only
        ObjectNode zookeeper = broken("prod", "Kafka", "fmnist",
                k -> ((ObjectNode) k.path("spec")).putObject("zookeeper").put("replicas", 3).putObject("storage").put("type", "ephemeral"));
        assertThat(StrimziModel.validate(zookeeper)).singleElement().asString().contains("Kafka/fmnist").contains("zookeeper");
        ObjectNode replicas = broken("prod", "Kafka", "fmnist", k -> ((ObjectNode) k.path("spec").path("kafka")).put("replicas", 3));
        assertThat(StrimziModel.validate(replicas)).singleElement().asString().contains("Kafka/fmnist").contains("replicas").contains("spec.kafka");
    }

    @Test
    void aMisspelledTopicFieldAndAZeroPartitionCountAreRejected() {
        ObjectNode typo = broken("dev", "KafkaTopic", "fmnist.predictions", t -> {
            ObjectNode spec = (ObjectNode) t.path("spec");
            spec.set("partition", spec.remove("partitions"));
        });
        assertThat(StrimziModel.validate(typo)).singleElement().asString().contains("KafkaTopic/fmnist.predictions").contains("partition");
        ObjectNode zero = broken("dev", "KafkaTopic", "fmnist.predictions", t -> ((ObjectNode) t.path("spec")).put("partitions", 0));
        assertThat(StrimziModel.validate(zero)).singleElement().asString()
                .isEqualTo("KafkaTopic/fmnist.predictions: spec.partitions is 0, less than the minimum 1");
    }

    @Test
    void aNodePoolWithoutStorageOrWithAnUnknownStorageTypeIsRejected() {
        ObjectNode noStorage = broken("prod", "KafkaNodePool", "broker", p -> ((ObjectNode) p.path("spec")).remove("storage"));
        assertThat(StrimziModel.validate(noStorage)).singleElement().asString().isEqualTo("KafkaNodePool/broker: spec.storage is required");
        ObjectNode unknownType = broken("dev", "KafkaNodePool", "dual-role",
                p -> ((ObjectNode) p.path("spec").path("storage").path("volumes").path(0)).put("type", "persistent"));
        assertThat(StrimziModel.validate(unknownType)).singleElement().asString().contains("KafkaNodePool/dual-role").contains("persistent");
    }

    @Test
    void aNodePoolWithoutRolesOrWithAnUnknownRoleIsRejected() {
        ObjectNode noRoles = broken("prod", "KafkaNodePool", "controller", p -> ((ObjectNode) p.path("spec")).remove("roles"));
        assertThat(StrimziModel.validate(noRoles)).singleElement().asString().isEqualTo("KafkaNodePool/controller: spec.roles is required");
        ObjectNode typo = broken("dev", "KafkaNodePool", "dual-role", p -> ((ArrayNode) p.path("spec").path("roles")).add("brokr"));
        assertThat(StrimziModel.validate(typo)).singleElement().asString()
                .isEqualTo("KafkaNodePool/dual-role: spec.roles[2] \"brokr\" is not a value Strimzi knows");
    }

    @Test
    void anUnknownListenerTypeAndAnInvalidListenerNameAreRejected() {
        ObjectNode type = broken("dev", "Kafka", "fmnist", k -> listener(k).put("type", "internl"));
        assertThat(StrimziModel.validate(type)).singleElement().asString()
                .isEqualTo("Kafka/fmnist: spec.kafka.listeners[0].type \"internl\" is not a value Strimzi knows");
        ObjectNode name = broken("dev", "Kafka", "fmnist", k -> listener(k).put("name", "plain-text-listener"));
        assertThat(StrimziModel.validate(name)).singleElement().asString()
                .contains("spec.kafka.listeners[0].name 'plain-text-listener' does not match");
    }

    @Test
    void aStringWhereStrimziWantsANumberAndAMissingListenerListAreRejected() {
        ObjectNode replicas = broken("prod", "KafkaNodePool", "controller", p -> ((ObjectNode) p.path("spec")).put("replicas", "three"));
        assertThat(StrimziModel.validate(replicas)).singleElement().asString().contains("KafkaNodePool/controller").contains("replicas");
        ObjectNode noListeners = broken("prod", "Kafka", "fmnist", k -> ((ObjectNode) k.path("spec").path("kafka")).remove("listeners"));
        assertThat(StrimziModel.validate(noListeners)).singleElement().asString().isEqualTo("Kafka/fmnist: spec.kafka.listeners is required");
    }

    @Test
    void strimzisModelReadsTheListenerAsTlsWithScramAndTheUsersAclsAsWritten() throws Exception {
        // what the operator will see: the model's own types, not just a schema-valid tree
        Kafka kafka = StrimziModel.STRICT.treeToValue(Overlays.get(Overlays.render("prod"), "Kafka", "fmnist"), Kafka.class);
        assertThat(kafka.getSpec().getKafka().getListeners()).singleElement().satisfies(l -> {
            assertThat(l.getPort()).isEqualTo(9093);
            assertThat(l.isTls()).isTrue();
            assertThat(l.getAuth()).isInstanceOf(KafkaListenerAuthenticationScramSha512.class);
        });
        assertThat(kafka.getSpec().getKafka().getAuthorization()).isInstanceOf(KafkaAuthorizationSimple.class);

        KafkaUser inference = StrimziModel.STRICT.treeToValue(Overlays.get(Overlays.render("dev"), "KafkaUser", "fmnist-inference"), KafkaUser.class);
        assertThat(inference.getSpec().getAuthentication()).isInstanceOf(KafkaUserScramSha512ClientAuthentication.class);
        List<AclRule> acls = ((KafkaUserAuthorizationSimple) inference.getSpec().getAuthorization()).getAcls();
        assertThat(acls).anySatisfy(a -> {
            assertThat(a.getResource()).isInstanceOfSatisfying(AclRuleGroupResource.class, g -> {
                assertThat(g.getName()).isEqualTo("inference-models-");
                assertThat(g.getPatternType()).isEqualTo(AclResourcePatternType.PREFIX);
            });
            assertThat(a.getOperations()).containsExactly(StrimziAclOperation.READ);
        });
        assertThat(acls).anySatisfy(a -> {
            assertThat(a.getResource()).isInstanceOfSatisfying(AclRuleTopicResource.class, t -> assertThat(t.getName()).isEqualTo("fmnist.predictions"));
            assertThat(a.getOperations()).containsExactly(StrimziAclOperation.WRITE);
        });
    }

    @Test
    void anUnknownListenerAuthenticationOrAclOperationAndTheDeprecatedSingleOperationAreRejected() {
        ObjectNode auth = broken("dev", "Kafka", "fmnist", k -> ((ObjectNode) listener(k).path("authentication")).put("type", "scram-sha-256"));
        assertThat(StrimziModel.validate(auth)).singleElement().asString().contains("Kafka/fmnist").contains("scram-sha-256");
        ObjectNode operation = broken("dev", "KafkaUser", "fmnist-trainer",
                u -> ((ArrayNode) u.path("spec").path("authorization").path("acls").path(0).path("operations")).add("Publish"));
        assertThat(StrimziModel.validate(operation)).singleElement().asString().contains("KafkaUser/fmnist-trainer").contains("Publish");
        // v1beta2's single `operation` is gone from v1: only the list `operations`
        ObjectNode single = broken("dev", "KafkaUser", "fmnist-keda", u -> {
            ObjectNode rule = (ObjectNode) u.path("spec").path("authorization").path("acls").path(0);
            rule.remove("operations");
            rule.put("operation", "Describe");
        });
        assertThat(StrimziModel.validate(single)).isNotEmpty().anySatisfy(p -> assertThat(p).contains("KafkaUser/fmnist-keda").contains("operation"));
        ObjectNode prefix = broken("prod", "KafkaUser", "fmnist-explainer",
                u -> ((ObjectNode) u.path("spec").path("authorization").path("acls").path(0).path("resource")).put("patternType", "prefixed"));
        assertThat(StrimziModel.validate(prefix)).singleElement().asString().contains("KafkaUser/fmnist-explainer").contains("prefixed");
    }

    private static ObjectNode listener(ObjectNode kafka) {
        return (ObjectNode) ((ArrayNode) kafka.path("spec").path("kafka").path("listeners")).get(0);
    }

    private static ObjectNode broken(String overlay, String kind, String name, Consumer<ObjectNode> change) {
        ObjectNode doc = Overlays.get(Overlays.render(overlay), kind, name);
        change.accept(doc);
        return doc;
    }
}
