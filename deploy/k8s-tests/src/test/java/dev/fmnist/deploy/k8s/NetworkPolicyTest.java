package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The NetworkPolicies (and Strimzi's listener policy) let exactly the flows of docs/architecture.md ("Network flows") through. */
class NetworkPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "gpu"})
    void onlyTheArchitecturesFlowsGetThrough(String overlay) {
        assertThat(NetworkFlows.violations(Kustomize.overlay(overlay))).as(overlay).isEmpty();
    }

    @Test
    void withoutTheDenyAndDatabasePoliciesAnyPodReachesPostgres() {
        Manifests open = Kustomize.overlay("prod").without("NetworkPolicy", "default-deny-ingress").without("NetworkPolicy", "fmnist-pg");
        assertThat(NetworkFlows.violations(open))
                .anySatisfy(p -> assertThat(p).isEqualTo("intruder -> postgres:5432/TCP must be denied, but it is allowed"));
    }

    @Test
    void withoutTheInferencePolicyItCouldCallOut() {
        Manifests open = Kustomize.overlay("dev").without("NetworkPolicy", "inference-service");
        assertThat(NetworkFlows.violations(open))
                .anySatisfy(p -> assertThat(p).isEqualTo("inference-service -> internet:443/TCP must be denied, but it is allowed"))
                .anySatisfy(p -> assertThat(p).isEqualTo("inference-service -> explainer-service:8083/TCP must be denied, but it is allowed"));
    }

    @Test
    void kafkaWithoutListenerPeersIsOpenToEveryPod() {
        Manifests open = Kustomize.overlay("dev").with("Kafka", "fmnist", k ->
                ((com.fasterxml.jackson.databind.node.ObjectNode) k.path("spec").path("kafka").path("listeners").get(0)).remove("networkPolicyPeers"));
        assertThat(NetworkFlows.violations(open)).contains("intruder -> kafka:9093/TCP must be denied, but it is allowed");
    }

    @Test
    void cidrs() {
        assertThat(NetworkFlows.inCidr("10.0.0.5", "10.0.0.0/8")).isTrue();
        assertThat(NetworkFlows.inCidr("203.0.113.10", "10.0.0.0/8")).isFalse();
        assertThat(NetworkFlows.inCidr("203.0.113.10", "0.0.0.0/0")).isTrue();
        assertThat(NetworkFlows.inCidr("172.20.1.1", "172.16.0.0/12")).isTrue();
    }
}
