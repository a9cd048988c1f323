package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kustomize v5 syntax, the recommended app.kubernetes.io labels, the Grafana dashboard for the sidecar; each with negative tests. */
class ConventionsTest {

    // ---- kustomize v5 ----

    @Test
    void theToolIsKustomizeV5() {
        assertThat(Kustomize.majorVersion()).as("kustomize version of " + Kustomize.tool().orElseThrow() + ": "
                + Kustomize.version().orElse("unknown") + ". " + Kustomize.MISSING_TOOL).isGreaterThanOrEqualTo(5);
    }

    @Test
    void everyKustomizationUsesV5SyntaxOnly() {
        List<Path> files = Conventions.kustomizations();
        assertThat(files).extracting(f -> Repo.ROOT.relativize(f).toString()).containsExactlyInAnyOrder(
                "deploy/k8s/base/kustomization.yaml", "deploy/k8s/overlays/dev/kustomization.yaml",
                "deploy/k8s/overlays/prod/kustomization.yaml", "deploy/k8s/overlays/gpu/kustomization.yaml",
                "deploy/grafana/kustomization.yaml");
        for (Path f : files) {
            assertThat(Conventions.syntax(f)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void renderingPrintsNoDeprecationNotes(String overlay) {
        assertThat(Kustomize.warnings(Repo.overlay(overlay))).as(overlay).isEmpty();
    }

    @Test
    void theFieldsKustomizeV5DeprecatesAreCaught() {
        String old = """
                namespace: fmnist
                bases:
                  - ../../base
                patchesStrategicMerge:
                  - patches/kafka.yaml
                patchesJson6902:
                  - target: {group: batch, version: v1, kind: CronJob, name: fmnist-retrain}
                    path: patches/trainer-cronjob.yaml
                commonLabels:
                  app.kubernetes.io/part-of: fmnist
                """;
        assertThat(Conventions.syntax("old/kustomization.yaml", old))
                .anySatisfy(p -> assertThat(p).contains("no apiVersion kustomize.config.k8s.io/v1beta1"))
                .anySatisfy(p -> assertThat(p).contains("'bases' is deprecated").contains("use resources"))
                .anySatisfy(p -> assertThat(p).contains("'patchesStrategicMerge' is deprecated").contains("use patches"))
                .anySatisfy(p -> assertThat(p).contains("'patchesJson6902' is deprecated"))
                .anySatisfy(p -> assertThat(p).contains("'commonLabels' is deprecated"));
    }

    @Test
    void aDeprecatedFieldShowsAsADeprecationNoteOfTheTool() throws IOException {
        Path dir = Path.of("target/kustomize-deprecated-test").toAbsolutePath();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), """
                bases:
                  - %s
                """.formatted(dir.relativize(Repo.overlay("dev")).toString().replace('\\', '/')));
        assertThat(Kustomize.warnings(dir)).containsIgnoringCase("deprecated");
    }

    // ---- recommended labels ----

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void everyObjectAndPodTemplateCarriesTheRecommendedLabels(String overlay) {
        assertThat(Conventions.labels(Kustomize.overlay(overlay), overlay)).as(overlay).isEmpty();
    }

    @Test
    void aMissingRecommendedLabelIsCaught() {
        Manifests broken = Kustomize.overlay("prod")
                .with("KafkaTopic", "fmnist.images", t -> ((ObjectNode) t.path("metadata").path("labels")).remove("app.kubernetes.io/component"))
                .with("Deployment", "explainer-service", d -> ((ObjectNode) d.path("spec").path("template").path("metadata").path("labels"))
                        .remove("app.kubernetes.io/instance"));
        assertThat(Conventions.labels(broken, "prod")).hasSize(2)
                .anySatisfy(p -> assertThat(p).isEqualTo("KafkaTopic/fmnist.images: no label app.kubernetes.io/component"))
                .anySatisfy(p -> assertThat(p).isEqualTo("Deployment/explainer-service pod template: no label app.kubernetes.io/instance"));
    }

    @Test
    void aVersionLabelThatIsNotTheImageTagIsCaught() {
        // e.g. an overlay that moves the image to 0.2.0 and leaves the labels at 0.1.0
        Manifests broken = Kustomize.overlay("dev").with("Deployment", "inference-service",
                d -> ApiSchemaTest.container(d).put("image", "fmnist/inference-service:0.2.0"));
        assertThat(Conventions.labels(broken, "dev")).singleElement().asString()
                .contains("Deployment/inference-service").contains("version '0.1.0' is not the tag of image fmnist/inference-service:0.2.0");
    }

    @Test
    void aWrongInstanceAndAVersionInASelectorAreCaught() {
        Manifests broken = Kustomize.overlay("gpu")
                .with("Service", "inference-service", s -> ((ObjectNode) s.path("metadata").path("labels")).put("app.kubernetes.io/instance", "fmnist-prod"))
                .with("PodDisruptionBudget", "inference-service", p -> ((ObjectNode) p.path("spec").path("selector").path("matchLabels"))
                        .put("app.kubernetes.io/version", "0.1.0"));
        assertThat(Conventions.labels(broken, "gpu")).hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("Service/inference-service").contains("instance is 'fmnist-prod', not 'fmnist-gpu'"))
                .anySatisfy(p -> assertThat(p).contains("PodDisruptionBudget/inference-service: a selector holds app.kubernetes.io/version"));
    }

    // ---- Grafana dashboard sidecar ----

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void theDashboardsAreOneConfigMapForGrafanasSidecar(String overlay) {
        Manifests m = Kustomize.overlay(overlay);
        assertThat(Conventions.dashboards(m)).as(overlay).isEmpty();
        assertThat(m.get("ConfigMap", "fmnist-grafana-dashboards").path("data").has("fmnist-xai.json")).isTrue();
    }

    @Test
    void theDashboardJsonHasOneCopyInTheRepository() throws IOException {
        // the ConfigMap is generated from deploy/grafana/dashboards: no second copy under deploy/k8s
        assertThat(HygieneTest.files(Repo.k8s())).noneMatch(f -> f.toString().endsWith(".json"));
        for (Path f : HygieneTest.files(Repo.k8s())) {
            assertThat(Repo.read(f)).as(f.toString()).doesNotContain("\"panels\"");
        }
        assertThat(Conventions.dashboardFiles()).containsKey("fmnist-xai.json");
    }

    @Test
    void aDashboardConfigMapThatDriftsFromTheFileOrLacksTheLabelIsCaught() {
        Manifests drifted = Kustomize.overlay("dev").with("ConfigMap", "fmnist-grafana-dashboards",
                cm -> ((ObjectNode) cm.path("data")).put("fmnist-xai.json", "{\"title\": \"edited by hand\"}"));
        assertThat(Conventions.dashboards(drifted)).singleElement().asString().contains("differs from deploy/grafana/dashboards/fmnist-xai.json");
        Manifests unlabelled = Kustomize.overlay("dev").with("ConfigMap", "fmnist-grafana-dashboards",
                cm -> ((ObjectNode) cm.path("metadata").path("labels")).remove(Conventions.DASHBOARD_LABEL));
        assertThat(Conventions.dashboards(unlabelled)).singleElement().asString()
                .contains("no ConfigMap labelled grafana_dashboard holds deploy/grafana/dashboards/fmnist-xai.json");
        Manifests hashed = Kustomize.overlay("dev").with("ConfigMap", "fmnist-grafana-dashboards",
                cm -> ((ObjectNode) cm.path("metadata")).put("name", "fmnist-grafana-dashboards-7t5g2mkh4b"));
        assertThat(Conventions.dashboards(hashed)).singleElement().asString().contains("without a content hash");
    }
}
