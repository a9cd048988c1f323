package dev.fmnist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.SecureKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * test-support's {@link SecureKafkaBroker} is what it claims: TLS with the CA made in the test, SCRAM passwords
 * checked, and each principal limited to its ACLs.
 */
class SecureKafkaBrokerIT {
    private static SecureKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = SecureKafkaBroker.start(Files.createTempDirectory(Path.of("target"), "secure-broker-"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aPrincipalWritesWhereItsAclsAllow() throws Exception {
        try (KafkaProducer<String, String> producer = producer(broker.clientSettings(SecureKafkaBroker.CLIENT))) {
            assertThat(producer.send(new ProducerRecord<>(Topics.IMAGES, "k", "{}")).get(30, TimeUnit.SECONDS).topic())
                    .isEqualTo(Topics.IMAGES);
        }
    }

    @Test
    void aPrincipalIsRefusedATopicItHasNoAclFor() {
        try (KafkaProducer<String, String> producer = producer(broker.clientSettings(SecureKafkaBroker.INFERENCE))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.MODELS, "k", "{}")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(Topics.MODELS);
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        try (KafkaProducer<String, String> producer = producer(broker.clientSettings(SecureKafkaBroker.CLIENT, "wrong"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.IMAGES, "k", "{}")).get(30, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SaslAuthenticationException.class));
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefused() {
        Map<String, String> settings = new java.util.HashMap<>(broker.clientSettings(SecureKafkaBroker.CLIENT));
        settings.remove("ssl.truststore.type");
        settings.remove("ssl.truststore.location");
        try (KafkaProducer<String, String> producer = producer(settings)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.IMAGES, "k", "{}")).get(30, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SslAuthenticationException.class));
        }
    }

    private static java.util.List<Throwable> causes(Throwable e) {
        java.util.List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static KafkaProducer<String, String> producer(Map<String, String> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "secure-broker-it-" + UUID.randomUUID());
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }
}
