package dev.fmnist.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** The sentences a secured broker's refusals become: what was refused, and what to check. */
class KafkaAccessTest {

    @Test
    void aRefusedPasswordNamesTheSettingToCheck() {
        SaslAuthenticationException refused = new SaslAuthenticationException(
                "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
        assertThat(KafkaAccess.explain(new ExecutionException(refused))).isEqualTo("Kafka refused this service's credentials"
                + " (Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512):"
                + " check the user name and password in sasl.jaas.config (KAFKA_SASL_JAAS_CONFIG) and sasl.mechanism");
        assertThat(KafkaAccess.isAccessFailure(new CompletionException(refused))).isTrue();
    }

    @Test
    void aMissingTopicAclNamesTheTopic() {
        TopicAuthorizationException denied = new TopicAuthorizationException(Set.of("fmnist.predictions"));
        assertThat(KafkaAccess.explain(new IllegalStateException("announce failed", denied))).isEqualTo(
                "Kafka denied this service's principal access to topic fmnist.predictions: an ACL on topic"
                        + " fmnist.predictions is missing (WRITE to produce to it, READ to consume it)");
    }

    @Test
    void aMissingGroupAclNamesTheGroup() {
        assertThat(KafkaAccess.explain(new GroupAuthorizationException("denied", "inference-service"))).isEqualTo(
                "Kafka denied this service's principal the consumer group inference-service: an ACL allowing READ on"
                        + " group inference-service is missing");
    }

    @Test
    void anUntrustedCertificateNamesTheTrustStore() {
        SslAuthenticationException tls = new SslAuthenticationException("SSL handshake failed",
                new RuntimeException("PKIX path building failed", new RuntimeException("unable to find valid certification path")));
        assertThat(KafkaAccess.explain(tls)).isEqualTo("the TLS handshake with Kafka failed (unable to find valid"
                + " certification path): check ssl.truststore.* (the CA that signed the broker's certificate) and that"
                + " security.protocol matches the listener");
    }

    @Test
    void otherFailuresAreNoAccessFailureAndKeepTheirMessage() {
        TimeoutException slow = new TimeoutException("Expiring 3 record(s) for fmnist.predictions-0");
        assertThat(KafkaAccess.isAccessFailure(slow)).isFalse();
        assertThat(KafkaAccess.explain(slow)).isEqualTo("Expiring 3 record(s) for fmnist.predictions-0");
    }

    @Test
    void needsReadAsTheyAreUsed() {
        assertThat(KafkaAccess.describe(List.of(KafkaAccess.Need.read("fmnist.images"), KafkaAccess.Need.write("fmnist.predictions"))))
                .isEqualTo("read fmnist.images, write to fmnist.predictions");
    }
}
