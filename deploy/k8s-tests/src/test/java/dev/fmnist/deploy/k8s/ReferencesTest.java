package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every Secret, ConfigMap, PVC and Service a manifest names exists (or, for prod's Secret, is documented). */
class ReferencesTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void everyReferenceResolves(String overlay) {
        assertThat(Checks.references(Kustomize.overlay(overlay), Docs.documentedSecrets())).as(overlay).isEmpty();
    }

    @Test
    void theReadmeDocumentsProdsDatabaseSecretWithItsKeys() {
        assertThat(Docs.documentedSecrets()).containsEntry("fmnist-db", Set.of("username", "password"));
        assertThat(Docs.documentedSecrets("""
                kubectl -n fmnist create secret generic other \\
                  --type=kubernetes.io/basic-auth --from-literal=username=u \\
                  --from-literal=password="$(openssl rand -base64 24)"
                """)).isEqualTo(Map.of("other", Set.of("username", "password")));
    }

    @Test
    void anUndocumentedSecretIsCaught() {
        assertThat(Checks.references(Kustomize.overlay("prod"), Map.of()))
                .anySatisfy(p -> assertThat(p).contains("Secret fmnist-db is neither rendered nor documented"));
    }

    @Test
    void aMissingSecretKeyOrConfigMapIsCaught() {
        Manifests broken = Kustomize.overlay("dev").with("Deployment", "inference-service", d -> {
            ObjectNode c = WorkloadsTest.container(d);
            ArrayNode env = (ArrayNode) c.path("env");
            env.addObject().put("name", "QUARKUS_DATASOURCE_PASSWORD").putObject("valueFrom").putObject("secretKeyRef")
                    .put("name", "fmnist-db").put("key", "passwd");
            ((ObjectNode) c.path("envFrom").get(0).path("configMapRef")).put("name", "fmnist-settings");
        });
        assertThat(Checks.references(broken, Map.of()))
                .anySatisfy(p -> assertThat(p).contains("Secret fmnist-db has no key passwd"))
                .anySatisfy(p -> assertThat(p).contains("ConfigMap fmnist-settings does not exist"));
    }

    @Test
    void aBootstrapServerOutsideTheNamespaceOrUnknownIsCaught() {
        Manifests broken = Kustomize.overlay("dev").with("ScaledObject", "explainer-service", so ->
                ((ObjectNode) so.path("spec").path("triggers").get(0).path("metadata"))
                        .put("bootstrapServers", "fmnist-kafka-bootstrap.kafka.svc:9093"));
        assertThat(Checks.references(broken, Map.of("fmnist-db", Set.of("username", "password"))))
                .singleElement().asString().contains("names namespace kafka");
        Manifests unknown = Kustomize.overlay("dev").with("ScaledObject", "explainer-service", so ->
                ((ObjectNode) so.path("spec").path("triggers").get(0).path("metadata")).put("bootstrapServers", "my-kafka:9092"));
        assertThat(Checks.references(unknown, Map.of())).anySatisfy(p -> assertThat(p).contains("host my-kafka is no Service"));
    }

    @Test
    void aServiceMonitorOnAMissingPortAndAPodlessPdbAreCaught() {
        Manifests broken = Kustomize.overlay("prod")
                .with("ServiceMonitor", "inference-service", sm -> ((ObjectNode) sm.path("spec").path("endpoints").get(0)).put("port", "metrics"))
                .with("PodDisruptionBudget", "explainer-service", pdb ->
                        ((ObjectNode) pdb.path("spec").path("selector").path("matchLabels")).put("app.kubernetes.io/name", "explainer"));
        assertThat(Checks.references(broken, Docs.documentedSecrets()))
                .anySatisfy(p -> assertThat(p).contains("ServiceMonitor/inference-service").contains("no port named metrics"))
                .anySatisfy(p -> assertThat(p).contains("PodDisruptionBudget/explainer-service").contains("matches no Deployment"))
                .anySatisfy(p -> assertThat(p).contains("Deployment/explainer-service: no PodDisruptionBudget"));
    }
}
