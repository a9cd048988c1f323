package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rendered object of every overlay against the published schema of its API (ApiSchemas): the
 * Kubernetes core kinds through fabric8's model, KEDA, CloudNativePG and the Prometheus operator
 * through their CRDs, Strimzi's API version (its schema: deploy/strimzi-tests). Each validator has
 * negative tests: an object broken the way people break them is rejected, with its path.
 */
class ApiSchemaTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void everyRenderedObjectMatchesThePublishedSchemaOfItsApi(String overlay) {
        Manifests m = Kustomize.overlay(overlay);
        assertThat(m.docs()).hasSizeGreaterThan(25);
        assertThat(ApiSchemas.validate(m)).as(overlay).isEmpty();
    }

    @Test
    void everyStrimziResourceIsOnTheV1Api() {
        for (String overlay : Repo.OVERLAYS) {
            assertThat(Kustomize.overlay(overlay).docs()).filteredOn(d -> d.path("apiVersion").asText().startsWith("kafka.strimzi.io/"))
                    .isNotEmpty().allSatisfy(d -> assertThat(d.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1"));
        }
    }

    // ---- Kubernetes core (fabric8's model) ----

    @Test
    void aMisspelledContainerFieldIsRejected() {
        Manifests broken = Kustomize.overlay("dev").with("Deployment", "inference-service", d -> {
            ObjectNode c = container(d);
            c.set("resource", c.remove("resources"));
        });
        assertThat(ApiSchemas.validate(broken)).singleElement().asString()
                .contains("Deployment/inference-service").contains("\"resource\"").contains("containers");
    }

    @Test
    void aNumberWhereKubernetesWantsAStringIsRejected() {
        // `value: 2` instead of `value: "2"`: the API server answers "cannot unmarshal number into ... string"
        Manifests broken = Kustomize.overlay("prod").with("Job", "fmnist-train",
                j -> ((ObjectNode) container(j).path("env").path(0)).put("value", 4));
        assertThat(ApiSchemas.validate(broken)).singleElement().asString().contains("Job/fmnist-train").contains("env");
    }

    @Test
    void aBooleanLabelValueAndAScalarForAListAreRejected() {
        Manifests broken = Kustomize.overlay("dev")
                .with("Service", "explainer-service", s -> ((ObjectNode) s.path("metadata").path("labels")).put("fmnist.dev/exposed", true))
                .with("NetworkPolicy", "trainer-service", p -> ((ObjectNode) p.path("spec")).put("policyTypes", "Egress"));
        assertThat(ApiSchemas.validate(broken)).hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("Service/explainer-service").contains("labels"))
                .anySatisfy(p -> assertThat(p).contains("NetworkPolicy/trainer-service").contains("policyTypes"));
    }

    @Test
    void aKindWithoutAKnownSchemaIsReported() {
        Manifests m = Kustomize.overlay("dev").copy();
        ObjectNode unknown = m.docs().get(0).objectNode();
        unknown.put("apiVersion", "example.org/v1").put("kind", "Widget").putObject("metadata").put("name", "w");
        Manifests broken = new Manifests(java.util.stream.Stream.concat(m.docs().stream(), java.util.stream.Stream.of(unknown)).toList());
        assertThat(ApiSchemas.validate(broken)).singleElement().asString().contains("Widget/w").contains("no published schema");
    }

    // ---- Strimzi: the API version (the schema: deploy/strimzi-tests) ----

    @Test
    void aStrimziResourceOnV1beta2IsRejected() {
        Manifests broken = Kustomize.overlay("prod").with("KafkaTopic", "fmnist.models", t -> t.put("apiVersion", "kafka.strimzi.io/v1beta2"));
        assertThat(ApiSchemas.validate(broken)).singleElement().asString()
                .contains("KafkaTopic/fmnist.models").contains("only kafka.strimzi.io/v1");
    }

    // ---- KEDA (its CRD) ----

    @Test
    void aKedaTriggerWithANumericLagThresholdIsRejected() {
        // KEDA's trigger metadata is a map of strings: lagThreshold: 2000 is refused by the API server
        Manifests broken = Kustomize.overlay("dev").with("ScaledObject", "inference-service",
                s -> ((ObjectNode) s.path("spec").path("triggers").path(0).path("metadata")).put("lagThreshold", 2000));
        assertThat(ApiSchemas.validate(broken)).singleElement().asString()
                .contains("ScaledObject/inference-service").contains("lagThreshold");
    }

    @Test
    void anUnknownScaledObjectFieldAndAMissingTargetAreRejected() {
        Manifests broken = Kustomize.overlay("prod").with("ScaledObject", "explainer-service", s -> {
            ObjectNode spec = (ObjectNode) s.path("spec");
            spec.put("maxReplicas", 8);
            spec.remove("scaleTargetRef");
        });
        assertThat(ApiSchemas.validate(broken)).hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("ScaledObject/explainer-service").contains("maxReplicas"))
                .anySatisfy(p -> assertThat(p).contains("ScaledObject/explainer-service").contains("scaleTargetRef"));
    }

    @Test
    void aTriggerAuthenticationWithAMisspelledFieldOrAnIncompleteSecretReferenceIsRejected() {
        // `secretTargetRefs` is not a field; a secretTargetRef without its key cannot name a value
        Manifests broken = Kustomize.overlay("dev").with("TriggerAuthentication", "inference-service-kafka", t -> {
            ObjectNode spec = (ObjectNode) t.path("spec");
            spec.set("secretTargetRefs", spec.remove("secretTargetRef"));
        }).with("TriggerAuthentication", "explainer-service-kafka",
                t -> ((ObjectNode) t.path("spec").path("secretTargetRef").path(0)).remove("key"));
        assertThat(ApiSchemas.validate(broken)).hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("TriggerAuthentication/inference-service-kafka").contains("secretTargetRefs"))
                .anySatisfy(p -> assertThat(p).contains("TriggerAuthentication/explainer-service-kafka").contains("key"));
    }

    // ---- CloudNativePG (its CRD) ----

    @Test
    void aClusterWithAStringInstanceCountAndAMisspelledFieldIsRejected() {
        Manifests broken = Kustomize.overlay("prod").with("Cluster", "fmnist-pg", c -> {
            ObjectNode spec = (ObjectNode) c.path("spec");
            spec.put("instances", "3");
            ObjectNode storage = (ObjectNode) spec.path("storage");
            storage.set("sizee", storage.remove("size"));
        });
        assertThat(ApiSchemas.validate(broken)).hasSizeGreaterThanOrEqualTo(2)
                .anySatisfy(p -> assertThat(p).contains("Cluster/fmnist-pg").contains("instances"))
                .anySatisfy(p -> assertThat(p).contains("Cluster/fmnist-pg").contains("sizee"));
    }

    @Test
    void aClusterWithZeroInstancesOrAnUnservedVersionIsRejected() {
        Manifests zero = Kustomize.overlay("dev").with("Cluster", "fmnist-pg", c -> ((ObjectNode) c.path("spec")).put("instances", 0));
        assertThat(ApiSchemas.validate(zero)).singleElement().asString().contains("Cluster/fmnist-pg").contains("instances");
        Manifests v2 = Kustomize.overlay("dev").with("Cluster", "fmnist-pg", c -> c.put("apiVersion", "postgresql.cnpg.io/v2"));
        assertThat(ApiSchemas.validate(v2)).singleElement().asString().contains("serves no version v2");
    }

    // ---- Prometheus operator (its CRD) ----

    @Test
    void aMisspelledServiceMonitorEndpointFieldIsRejected() {
        Manifests broken = Kustomize.overlay("gpu").with("ServiceMonitor", "inference-service", s -> {
            ObjectNode endpoint = (ObjectNode) s.path("spec").path("endpoints").path(0);
            endpoint.set("paht", endpoint.remove("path"));
        });
        assertThat(ApiSchemas.validate(broken)).singleElement().asString().contains("ServiceMonitor/inference-service").contains("paht");
    }

    @Test
    void theStoredCrdsNameTheirSourceAndVersion() {
        for (String crd : List.of("keda.sh_scaledobjects.yaml", "keda.sh_triggerauthentications.yaml", "postgresql.cnpg.io_clusters.yaml", "monitoring.coreos.com_servicemonitors.yaml")) {
            String text = Repo.read(Repo.ROOT.resolve("deploy/k8s-tests/src/test/resources/crds").resolve(crd));
            assertThat(text).as(crd).containsPattern("(?m)^# Source: https://github\\.com/[^ ]+/blob/v[0-9.]+/")
                    .containsPattern("\\(commit [0-9a-f]{40}\\)").contains("kind: CustomResourceDefinition");
        }
    }

    static ObjectNode container(JsonNode workload) {
        JsonNode spec = workload.path("kind").asText().equals("CronJob")
                ? workload.path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                : workload.path("spec").path("template").path("spec");
        return (ObjectNode) spec.path("containers").path(0);
    }
}
