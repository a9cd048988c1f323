package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Environment variables of the manifests are configuration keys the services really have. */
class EnvironmentTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void everyEnvironmentVariableIsAConfigurationKey(String overlay) {
        assertThat(Checks.environment(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @Test
    void quarkusEnvironmentFormOfKeys() {
        assertThat(ServiceConfig.envForm("inference.execution-provider")).isEqualTo("INFERENCE_EXECUTION_PROVIDER");
        assertThat(ServiceConfig.envForm("mp.messaging.incoming.images.max.poll.records")).isEqualTo("MP_MESSAGING_INCOMING_IMAGES_MAX_POLL_RECORDS");
        assertThat(ServiceConfig.envForm("quarkus.log.category.\"ai.djl\".level")).isEqualTo("QUARKUS_LOG_CATEGORY__AI_DJL__LEVEL");
    }

    @Test
    void configMappingKeysAreReadFromTheInterfaces() {
        assertThat(Checks.config("inference-service").mappingKeys())
                .contains("inference.threads", "inference.execution-provider", "inference.http-max-images", "inference.max-batches-in-flight")
                .doesNotContain("inference.effective-threads");
        assertThat(Checks.config("trainer-service").mappingKeys())
                .contains("trainer.data-dir", "trainer.admin-token", "trainer.engine-cache-dir", "trainer.threads")
                .doesNotContain("trainer.effective-threads");
        assertThat(ServiceConfig.mappingKeys("x", """
                @ConfigMapping(prefix = "x")
                interface X {
                    @WithName("renamed")
                    @WithDefault("1")
                    int original();
                    Optional<List<String>> someThing();
                    default int twice() {
                        return 2 * original();
                    }
                    Group group();
                    interface Group {
                        @WithName("scale")
                        int defaultScale();
                        int kernelWidth();
                    }
                }
                """)).containsExactlyInAnyOrder("x.renamed", "x.some-thing", "x.group.scale", "x.group.kernel-width");
        assertThat(Checks.config("trainer-service").envReadByCode()).contains("FMNIST_DATA_DIR", "XDG_CACHE_HOME", "QUARKUS_HTTP_PORT");
    }

    @Test
    void aMisspelledOrForeignVariableIsCaught() {
        Manifests broken = Kustomize.overlay("dev").with("Deployment", "inference-service", d -> {
            ArrayNode env = (ArrayNode) WorkloadsTest.container(d).path("env");
            env.addObject().put("name", "INFERENCE_THREDS").put("value", "1");
            env.addObject().put("name", "TRAINER_THREADS").put("value", "1");
        });
        assertThat(Checks.environment(broken))
                .anySatisfy(p -> assertThat(p).contains("inference-service").contains("INFERENCE_THREDS is no configuration key"))
                .anySatisfy(p -> assertThat(p).contains("inference-service").contains("TRAINER_THREADS is no configuration key"));
    }

    @Test
    void aContainerWithoutTheSharedSettingsOrWithAnUnknownProviderIsCaught() {
        Manifests broken = Kustomize.overlay("prod").with("Deployment", "inference-service", d -> {
            ObjectNode c = WorkloadsTest.container(d);
            c.remove("envFrom");
            for (var e : c.path("env")) {
                if (e.path("name").asText().equals("INFERENCE_EXECUTION_PROVIDER")) {
                    ((ObjectNode) e).put("value", "gpu");
                }
            }
        });
        assertThat(Checks.environment(broken))
                .anySatisfy(p -> assertThat(p).contains("KAFKA_BOOTSTRAP_SERVERS is not set"))
                .anySatisfy(p -> assertThat(p).contains("QUARKUS_DATASOURCE_JDBC_URL is not set"))
                .anySatisfy(p -> assertThat(p).contains("INFERENCE_EXECUTION_PROVIDER=gpu is none of"));
    }
}
