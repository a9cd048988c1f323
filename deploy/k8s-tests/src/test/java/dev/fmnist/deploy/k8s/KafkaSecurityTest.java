package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fmnist.common.kafka.KafkaGrants;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Authenticated Kafka (issue #17): a TLS + SCRAM-SHA-512 listener with ACLs enforced, one KafkaUser per service
 * with exactly the grants its sources name, credentials and CA from the Secrets Strimzi creates, KEDA logged in.
 */
class KafkaSecurityTest {

    static Map<String, ServiceConfig> configs() {
        Map<String, ServiceConfig> out = new LinkedHashMap<>();
        Repo.SERVICES.forEach(s -> out.put(s, Checks.config(s)));
        return out;
    }

    static Map<String, String> sources() {
        Map<String, String> out = new LinkedHashMap<>();
        Repo.SERVICES.forEach(s -> out.put(s, KafkaSecurityChecks.javaSources(s)));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void everyListenerIsTlsWithScramAndAclsAreEnforced(String overlay) {
        Manifests m = Kustomize.overlay(overlay);
        assertThat(m.ofKind("KafkaUser")).extracting(Manifests::name)
                .containsExactlyInAnyOrder("fmnist-trainer", "fmnist-inference", "fmnist-explainer", "fmnist-keda");
        assertThat(KafkaSecurityChecks.listeners(m)).as(overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void eachServiceLogsInWithItsKafkaUsersSecretAndTrustsTheClusterCa(String overlay) {
        assertThat(KafkaSecurityChecks.clients(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void eachServicesKafkaUserCarriesExactlyItsGrants(String overlay) {
        assertThat(KafkaSecurityChecks.serviceAcls(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @Test
    void theGrantsAreExactlyWhatTheServicesApplicationPropertiesAndCodeName() {
        assertThat(KafkaSecurityChecks.grantsMatchServices(configs(), sources())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void kedaLogsInAsAUserThatMayDescribeTheLagItScalesOn(String overlay) {
        assertThat(KafkaSecurityChecks.keda(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @Test
    void theSourcesAreReadAsExpected() {
        // the services' sources, read the way the grant check reads them
        assertThat(KafkaSecurityChecks.namedBy(Checks.config("inference-service"), KafkaSecurityChecks.javaSources("inference-service")))
                .extracting(Object::toString).containsExactlyInAnyOrder("Read on topic fmnist.images", "Read on topic fmnist.models",
                        "Write on topic fmnist.predictions", "Write on topic fmnist.images.dlq", "Read on group inference-service",
                        "Read on group inference-models- (prefix)");
        assertThat(KafkaSecurityChecks.namedBy(Checks.config("explainer-service"), KafkaSecurityChecks.javaSources("explainer-service")))
                .extracting(Object::toString).contains("Write on topic fmnist.images", "Write on topic fmnist.explanations",
                        "Read on group explainer-models- (prefix)");
        assertThat(KafkaSecurityChecks.namedBy(Checks.config("trainer-service"), KafkaSecurityChecks.javaSources("trainer-service")))
                .extracting(Object::toString).containsExactly("Write on topic fmnist.models");
        assertThat(KafkaSecurityChecks.strimziSecrets(Kustomize.overlay("dev")))
                .containsEntry("fmnist-cluster-ca-cert", KafkaSecurityChecks.CLUSTER_CA_KEYS)
                .containsEntry("fmnist-inference", KafkaSecurityChecks.USER_SECRET_KEYS)
                .containsEntry("fmnist-keda", KafkaSecurityChecks.USER_SECRET_KEYS);
    }

    // ---- negative tests: each rule bites ----

    @Test
    void aPlaintextListenerOrNoAuthorizationIsCaught() {
        Manifests broken = Kustomize.overlay("prod").with("Kafka", "fmnist", k -> {
            ObjectNode kafka = (ObjectNode) k.path("spec").path("kafka");
            ((ArrayNode) kafka.path("listeners")).addObject().put("name", "plain").put("port", 9092).put("type", "internal").put("tls", false);
            kafka.remove("authorization");
        });
        assertThat(KafkaSecurityChecks.listeners(broken))
                .anySatisfy(p -> assertThat(p).contains("listener plain (9092): not TLS"))
                .anySatisfy(p -> assertThat(p).contains("listener plain (9092): authentication is 'none'"))
                .anySatisfy(p -> assertThat(p).contains("authorization is not {type: simple}"));
    }

    @Test
    void aServiceWithoutItsLoginOrWithAnotherServicesUserIsCaught() {
        Manifests broken = Kustomize.overlay("dev")
                .with("Deployment", "inference-service", d -> {
                    ArrayNode env = (ArrayNode) WorkloadsTest.container(d).path("env");
                    for (int i = env.size() - 1; i >= 0; i--) {
                        if (env.get(i).path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                            env.remove(i);
                        }
                    }
                })
                .with("CronJob", "fmnist-retrain", c -> {
                    for (var e : WorkloadsTest.container(c).path("env")) {
                        if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                            ((ObjectNode) e.path("valueFrom").path("secretKeyRef")).put("name", "fmnist-explainer");
                        }
                    }
                });
        assertThat(KafkaSecurityChecks.clients(broken))
                .anySatisfy(p -> assertThat(p).contains("Deployment/inference-service").contains("KAFKA_SASL_JAAS_CONFIG does not come from a Secret"))
                .anySatisfy(p -> assertThat(p).contains("container trainer-service: logs in as fmnist-").contains("another workload of trainer-service as fmnist-"))
                .anySatisfy(p -> assertThat(p).contains("KafkaUser fmnist-explainer is also"));
    }

    @Test
    void aTruststoreThatIsNotTheClusterCaOrLacksItsPasswordIsCaught() {
        Manifests broken = Kustomize.overlay("prod")
                .with("Deployment", "explainer-service", d -> {
                    ObjectNode volume = (ObjectNode) d.path("spec").path("template").path("spec").path("volumes").path(0);
                    ((ObjectNode) volume.path("secret").path("items").path(0)).put("key", "ca.crt");
                })
                .with("Job", "fmnist-train", j -> {
                    ArrayNode env = (ArrayNode) WorkloadsTest.container(j).path("env");
                    for (int i = env.size() - 1; i >= 0; i--) {
                        if (env.get(i).path("name").asText().equals("KAFKA_SSL_TRUSTSTORE_PASSWORD")) {
                            env.remove(i);
                        }
                    }
                });
        assertThat(KafkaSecurityChecks.clients(broken))
                .anySatisfy(p -> assertThat(p).contains("Deployment/explainer-service").contains("is key ca.crt of Secret fmnist-cluster-ca-cert, expected ca.p12"))
                .anySatisfy(p -> assertThat(p).contains("Job/fmnist-train").contains("KAFKA_SSL_TRUSTSTORE_PASSWORD must come from key ca.password"));
        Manifests dev = Kustomize.overlay("dev");
        String settings = dev.ofKind("ConfigMap").stream().map(Manifests::name).filter(n -> n.startsWith("fmnist-platform")).findFirst().orElseThrow();
        Manifests plaintext = dev.with("ConfigMap", settings,
                cm -> ((ObjectNode) cm.path("data")).put("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"));
        assertThat(KafkaSecurityChecks.clients(plaintext)).hasSize(4)
                .allSatisfy(p -> assertThat(p).contains("KAFKA_SECURITY_PROTOCOL is 'PLAINTEXT', the listener needs SASL_SSL"));
    }

    @Test
    void aMissingOrAnExtraAclIsCaught() {
        Manifests broken = Kustomize.overlay("dev").with("KafkaUser", "fmnist-inference", u -> {
            ArrayNode acls = (ArrayNode) u.path("spec").path("authorization").path("acls");
            for (int i = acls.size() - 1; i >= 0; i--) {
                if (acls.get(i).path("resource").path("name").asText().equals("fmnist.images.dlq")) {
                    acls.remove(i);
                }
            }
            ObjectNode extra = acls.addObject();
            extra.putObject("resource").put("type", "topic").put("name", "fmnist.models").put("patternType", "literal");
            extra.putArray("operations").add("Write");
        });
        assertThat(KafkaSecurityChecks.serviceAcls(broken))
                .anySatisfy(p -> assertThat(p).isEqualTo("Deployment/inference-service: KafkaUser fmnist-inference (inference-service)"
                        + " lacks Write on topic fmnist.images.dlq (common's KafkaGrants)"))
                .anySatisfy(p -> assertThat(p).isEqualTo("Deployment/inference-service: KafkaUser fmnist-inference (inference-service)"
                        + " has Write on topic fmnist.models, which common's KafkaGrants do not give inference-service"));
    }

    @Test
    void aTopicOrGroupTheServicesUseButTheGrantsLackIsCaught() {
        Map<String, ServiceConfig> configs = configs();
        // a new channel on the explainer, and the inference's per-instance group renamed
        configs.put("explainer-service", ServiceConfig.fromProperties("explainer-service", Repo.read(
                Repo.service("explainer-service").resolve("src/main/resources/application.properties")) + """
                mp.messaging.outgoing.audit.connector=smallrye-kafka
                mp.messaging.outgoing.audit.topic=fmnist.audit
                """));
        configs.put("inference-service", ServiceConfig.fromProperties("inference-service", Repo.read(
                Repo.service("inference-service").resolve("src/main/resources/application.properties"))
                .replace("group.id=inference-models-${quarkus.uuid}", "group.id=models-${quarkus.uuid}")));
        assertThat(KafkaSecurityChecks.grantsMatchServices(configs, sources()))
                .contains("explainer-service needs Write on topic fmnist.audit (its application.properties or access check),"
                        + " common's KafkaGrants lack it")
                .contains("inference-service needs Read on group models- (prefix) (its application.properties or access check),"
                        + " common's KafkaGrants lack it")
                .contains("common's KafkaGrants give inference-service Read on group inference-models- (prefix), which neither"
                        + " its application.properties nor its code name");
        assertThat(KafkaGrants.SERVICES).containsOnlyKeys(Repo.SERVICES);
    }

    @Test
    void aScalerWithoutLoginOrWithAUserThatCannotSeeTheGroupIsCaught() {
        Manifests broken = Kustomize.overlay("prod")
                .with("ScaledObject", "inference-service", so -> ((ObjectNode) so.path("spec").path("triggers").path(0)).remove("authenticationRef"))
                .with("KafkaUser", "fmnist-keda", u -> {
                    ArrayNode acls = (ArrayNode) u.path("spec").path("authorization").path("acls");
                    for (int i = acls.size() - 1; i >= 0; i--) {
                        if (acls.get(i).path("resource").path("name").asText().equals("explainer-service")) {
                            acls.remove(i);
                        }
                    }
                })
                .with("ConfigMap", "fmnist-keda-kafka", cm -> ((ObjectNode) cm.path("data")).put("sasl", "plaintext"));
        assertThat(KafkaSecurityChecks.keda(broken))
                .anySatisfy(p -> assertThat(p).contains("ScaledObject/inference-service").contains("no authenticationRef"))
                .anySatisfy(p -> assertThat(p).contains("ScaledObject/explainer-service")
                        .contains("KafkaUser fmnist-keda may not DESCRIBE group explainer-service"))
                .anySatisfy(p -> assertThat(p).contains("ScaledObject/explainer-service").contains("sasl is 'plaintext'"));
        Manifests wrongUser = Kustomize.overlay("dev").with("ConfigMap", "fmnist-keda-kafka",
                cm -> ((ObjectNode) cm.path("data")).put("username", "keda"));
        assertThat(KafkaSecurityChecks.keda(wrongUser)).hasSize(2)
                .allSatisfy(p -> assertThat(p).contains("username is 'keda', the password is KafkaUser fmnist-keda's"));
    }

    @Test
    void aStrimziSecretKeyThatDoesNotExistIsCaught() {
        Manifests broken = Kustomize.overlay("dev").with("Deployment", "inference-service", d -> {
            for (var e : WorkloadsTest.container(d).path("env")) {
                if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                    ((ObjectNode) e.path("valueFrom").path("secretKeyRef")).put("key", "jaas");
                }
            }
        }).with("TriggerAuthentication", "explainer-service-kafka",
                t -> ((ObjectNode) t.path("spec").path("secretTargetRef").path(1)).put("key", "ca.pem"));
        assertThat(Checks.references(broken, Docs.documentedSecrets()))
                .anySatisfy(p -> assertThat(p).contains("Secret fmnist-inference (made outside the manifests: by hand or by an operator) has no key jaas"))
                .anySatisfy(p -> assertThat(p).contains("TriggerAuthentication/explainer-service-kafka")
                        .contains("Secret fmnist-cluster-ca-cert (made outside the manifests: by hand or by an operator) has no key ca.pem"));
    }
}
