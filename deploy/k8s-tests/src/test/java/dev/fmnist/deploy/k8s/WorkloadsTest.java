package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Probes on /q/health, requests and limits, a non-root and locked-down context, thread pools sized to the CPU limit. */
class WorkloadsTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void everyWorkloadHasProbesLimitsAndANonRootContext(String overlay) {
        Manifests m = Kustomize.overlay(overlay);
        assertThat(m.pods()).hasSize(4);
        assertThat(Checks.workloads(m)).as(overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void nativeThreadPoolsEqualTheCpuLimit(String overlay) {
        assertThat(Checks.threads(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @Test
    void aDeploymentWithoutReadinessProbeIsCaught() {
        Manifests broken = Kustomize.overlay("dev").with("Deployment", "inference-service",
                d -> container(d).remove("readinessProbe"));
        assertThat(Checks.workloads(broken)).singleElement().asString()
                .contains("Deployment/inference-service").contains("no readinessProbe");
    }

    @Test
    void aLivenessProbeOffTheHealthEndpointIsCaught() {
        Manifests broken = Kustomize.overlay("prod").with("Deployment", "explainer-service",
                d -> ((ObjectNode) container(d).path("livenessProbe").path("httpGet")).put("path", "/"));
        assertThat(Checks.workloads(broken)).anySatisfy(p -> assertThat(p).contains("livenessProbe path is '/'"));
    }

    @Test
    void missingLimitsAndARootContextAreCaught() {
        Manifests broken = Kustomize.overlay("dev")
                .with("Job", "fmnist-train", j -> ((ObjectNode) container(j).path("resources")).remove("limits"))
                .with("Deployment", "explainer-service", d -> {
                    ((ObjectNode) d.path("spec").path("template").path("spec").path("securityContext")).put("runAsNonRoot", false);
                    ((ObjectNode) container(d).path("securityContext")).put("allowPrivilegeEscalation", true);
                });
        assertThat(Checks.workloads(broken)).anySatisfy(p -> assertThat(p).contains("Job/fmnist-train").contains("no resources.limits.cpu"))
                .anySatisfy(p -> assertThat(p).contains("Job/fmnist-train").contains("no resources.limits.memory"))
                .anySatisfy(p -> assertThat(p).contains("explainer-service").contains("runAsNonRoot"))
                .anySatisfy(p -> assertThat(p).contains("explainer-service").contains("allowPrivilegeEscalation"));
    }

    @Test
    void threadsThatDisagreeWithTheCpuLimitAreCaught() {
        Manifests broken = Kustomize.overlay("prod").with("Deployment", "inference-service", d -> {
            ObjectNode limits = (ObjectNode) container(d).path("resources").path("limits");
            limits.put("cpu", "3");
        });
        assertThat(Checks.threads(broken)).singleElement().asString().contains("INFERENCE_THREADS=2 but the CPU limit is 3");
    }

    @Test
    void quantitiesParse() {
        assertThat(Quantity.parse("500m")).isEqualByComparingTo("0.5");
        assertThat(Quantity.parse("2")).isEqualByComparingTo("2");
        assertThat(Quantity.parse("1536Mi")).isEqualByComparingTo(BigDecimal.valueOf(1536L << 20));
        assertThat(Quantity.parse("4Gi")).isEqualByComparingTo(BigDecimal.valueOf(4L << 30));
    }

    static ObjectNode container(ObjectNode workload) {
        ObjectNode spec = (ObjectNode) (workload.path("kind").asText().equals("CronJob")
                ? workload.path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                : workload.path("spec").path("template").path("spec"));
        return (ObjectNode) ((ArrayNode) spec.path("containers")).get(0);
    }
}
