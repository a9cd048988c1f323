package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every overlay renders, into one namespace, with the pieces the issue asks for. */
class OverlaysTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void rendersEveryPieceIntoTheNamespace(String overlay) {
        Manifests m = Kustomize.overlay(overlay);
        assertThat(Checks.namespaces(m)).as("namespace problems in " + overlay).isEmpty();
        assertThat(m.ofKind("Kafka")).hasSize(1);
        assertThat(m.ofKind("Kafka").get(0).path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1");
        assertThat(m.ofKind("KafkaNodePool")).isNotEmpty();
        assertThat(m.ofKind("KafkaTopic")).hasSize(6);
        assertThat(m.ofKind("Cluster")).hasSize(1);
        assertThat(m.ofKind("Deployment")).extracting(Manifests::name).containsExactlyInAnyOrder("inference-service", "explainer-service");
        assertThat(m.ofKind("ScaledObject")).extracting(Manifests::name).containsExactlyInAnyOrder("inference-service", "explainer-service");
        assertThat(m.ofKind("PodDisruptionBudget")).hasSize(2);
        assertThat(m.ofKind("ServiceMonitor")).hasSize(2);
        assertThat(m.ofKind("NetworkPolicy")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(m.get("Job", "fmnist-train").path("spec").path("template").path("spec").path("containers").path(0).path("args"))
                .extracting(JsonNode::asText).containsExactly("train", "--model", "all");
        assertThat(m.get("CronJob", "fmnist-retrain").path("spec").path("jobTemplate").path("spec").path("template")
                .path("spec").path("containers").path(0).path("args")).extracting(JsonNode::asText).containsExactly("train", "--model", "all");
    }

    @Test
    void devIsOneKafkaNodeAndOnePostgresInstanceWithAPlaceholderSecret() {
        Manifests m = Kustomize.overlay("dev");
        assertThat(m.ofKind("KafkaNodePool")).singleElement().satisfies(pool -> {
            assertThat(pool.path("spec").path("replicas").asInt()).isEqualTo(1);
            assertThat(pool.path("spec").path("roles")).extracting(JsonNode::asText).containsExactlyInAnyOrder("controller", "broker");
        });
        assertThat(m.get("Cluster", "fmnist-pg").path("spec").path("instances").asInt()).isEqualTo(1);
        assertThat(m.get("Kafka", "fmnist").path("spec").path("kafka").path("config").path("default.replication.factor").asInt()).isEqualTo(1);
        // the strategic merge kept the base's other broker settings
        assertThat(m.get("Kafka", "fmnist").path("spec").path("kafka").path("config").path("auto.create.topics.enable").asBoolean(true)).isFalse();
        JsonNode secret = m.get("Secret", "fmnist-db");
        assertThat(secret.path("type").asText()).isEqualTo("kubernetes.io/basic-auth");
        assertThat(new String(java.util.Base64.getDecoder().decode(secret.path("data").path("password").asText()))).isEqualTo("change-me");
        assertThat(m.get("CronJob", "fmnist-retrain").path("spec").path("suspend").asBoolean()).isTrue();
    }

    @Test
    void prodHasSeparateControllerAndBrokerPoolsAndNoSecretInGit() {
        Manifests m = Kustomize.overlay("prod");
        assertThat(m.ofKind("Secret")).as("prod reads fmnist-db created beforehand, never from git").isEmpty();
        assertThat(m.ofKind("KafkaNodePool")).extracting(Manifests::name).containsExactlyInAnyOrder("controller", "broker");
        assertThat(m.get("Cluster", "fmnist-pg").path("spec").path("instances").asInt()).isEqualTo(3);
        assertThat(m.get("ScaledObject", "inference-service").path("spec").path("minReplicaCount").asInt()).isEqualTo(2);
        assertThat(m.get("Kafka", "fmnist").path("spec").path("kafka").path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
    }

    @Test
    void gpuRunsInferenceOnTheCudaImageWithOneGpuPerReplica() {
        Manifests m = Kustomize.overlay("gpu");
        assertThat(m.ofKind("Secret")).isEmpty();
        for (Manifests.Pod pod : m.pods()) {
            for (JsonNode c : pod.containers()) {
                JsonNode gpu = c.path("resources").path("limits").path("nvidia.com/gpu");
                if (c.path("name").asText().equals("inference-service")) {
                    assertThat(gpu.asInt()).isEqualTo(1);
                    assertThat(c.path("image").asText()).isEqualTo("fmnist/inference-service-cuda:0.1.0");
                    assertThat(Checks.envValue(c, "INFERENCE_EXECUTION_PROVIDER")).contains("cuda");
                    assertThat(pod.spec().path("tolerations").toString()).contains("nvidia.com/gpu");
                } else {
                    assertThat(gpu.isMissingNode()).as(pod.where() + " must not take a GPU").isTrue();
                    assertThat(c.path("image").asText()).doesNotContain("cuda");
                }
            }
        }
        for (String overlay : List.of("dev", "prod")) {
            for (Manifests.Pod pod : Kustomize.overlay(overlay).pods()) {
                for (JsonNode c : pod.containers()) {
                    assertThat(c.path("resources").path("limits").has("nvidia.com/gpu")).as(overlay + " " + pod.where()).isFalse();
                    assertThat(c.path("image").asText()).isEqualTo("fmnist/" + c.path("name").asText() + ":0.1.0");
                }
            }
        }
    }

    @Test
    void imagesAreOverridableWithKustomizeImages() throws IOException {
        // an overlay of the dev overlay, as a user would write one for their registry
        Path dir = Path.of("target/overlay-images-test").toAbsolutePath();
        Files.createDirectories(dir);
        Path dev = Repo.overlay("dev");
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources:
                  - %s
                images:
                  - name: fmnist/inference-service
                    newName: registry.example.org/ml/inference-service
                    newTag: 1.2.3
                """.formatted(dir.relativize(dev).toString().replace('\\', '/')));
        Manifests m = Kustomize.render(dir);
        Map<String, String> images = new java.util.TreeMap<>();
        m.pods().forEach(p -> p.containers().forEach(c -> images.put(p.where(), c.path("image").asText())));
        assertThat(images).containsEntry("Deployment/inference-service", "registry.example.org/ml/inference-service:1.2.3")
                .containsEntry("Deployment/explainer-service", "fmnist/explainer-service:0.1.0")
                .containsEntry("Job/fmnist-train", "fmnist/trainer-service:0.1.0");
    }
}
