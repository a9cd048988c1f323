package dev.fmnist.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSettingsTest {

    @Test
    void environmentIsMappedTheMicroProfileWay() {
        KafkaClientSettings s = KafkaClientSettings.load(Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
                "KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
                "PATH", "/usr/bin"), new Properties(), null, null);
        assertThat(s.shared()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
                .doesNotContainKey("path");
        assertThat(s.bootstrapServers()).isEqualTo("broker:9093");
        assertThat(s.toString()).doesNotContain("ScramLoginModule");
    }

    @Test
    void bootstrapDefaultsToTheLocalStack() {
        assertThat(KafkaClientSettings.load(Map.of(), new Properties(), null, null).bootstrapServers())
                .isEqualTo("127.0.0.1:9092");
    }

    @Test
    void fileThenEnvironmentThenSystemPropertiesThenExplicitBootstrap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                kafka.security.protocol=SSL
                compression.type=gzip
                kafka.client.rack=file-rack
                bootstrap.servers=file:9092
                """);
        Properties system = new Properties();
        system.setProperty("kafka.compression.type", "lz4");
        system.setProperty("kafka.bootstrap.servers", "sys:9092");
        system.setProperty("other.setting", "ignored");
        KafkaClientSettings s = KafkaClientSettings.load(
                Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_COMPRESSION_TYPE", "zstd"), system, file, null);
        assertThat(s.shared()).containsEntry("security.protocol", "SASL_SSL") // env over file
                .containsEntry("compression.type", "lz4")                     // system over env
                .containsEntry("client.rack", "file-rack")                    // file alone
                .doesNotContainKey("other.setting");
        assertThat(s.bootstrapServers()).isEqualTo("sys:9092");

        KafkaClientSettings overridden = KafkaClientSettings.load(
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092"), system, file, "cli:9092");
        assertThat(overridden.bootstrapServers()).isEqualTo("cli:9092");
    }

    /** A shared setting reaches every kind of client's effective configuration; each client's own tuning wins. */
    @Test
    void everyClientGetsTheSharedSettingsUnderItsOwnTuning() {
        KafkaClientSettings s = KafkaClientSettings.of(Map.of(
                "bootstrap.servers", "broker:9093",
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "compression.type", "lz4",
                "linger.ms", "50",
                "group.id", "inference-service"));

        Properties producer = s.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "all"));
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        ProducerConfig p = new ProducerConfig(producer);
        assertThat(p.getString("security.protocol")).isEqualTo("SASL_PLAINTEXT");
        assertThat(p.getString("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(p.getString("compression.type")).isEqualTo("lz4");
        assertThat(p.getLong("linger.ms")).isEqualTo(5L);
        assertThat(p.getList("bootstrap.servers")).containsExactly("broker:9093");
        assertThat(producer).doesNotContainKey("group.id");

        Properties consumer = s.consumer(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000));
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        ConsumerConfig c = new ConsumerConfig(consumer);
        assertThat(c.getString("security.protocol")).isEqualTo("SASL_PLAINTEXT");
        assertThat(c.getString("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(c.getInt("max.poll.records")).isEqualTo(2000);

        AdminClientConfig a = new AdminClientConfig(s.admin(Map.of()));
        assertThat(a.getString("security.protocol")).isEqualTo("SASL_PLAINTEXT");
        assertThat(a.getString("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(s.admin(Map.of())).doesNotContainKey("group.id");
    }
}
