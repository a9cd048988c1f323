package dev.fmnist.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.kafka.KafkaClientSettings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The tools' clients get the shared kafka.* settings, under their own tuning (the load generator's speed). */
class KafkaClientsTest {
    private static final KafkaClientSettings SETTINGS = KafkaClientSettings.load(Map.of(
            "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"), systemWith(), null,
            "broker:9093");

    private static Properties systemWith() {
        Properties p = new Properties();
        p.setProperty("kafka.compression.type", "lz4");
        return p;
    }

    @Test
    void producerHasTheSharedSettingsAndTheToolsTuning() {
        ProducerConfig p = new ProducerConfig(KafkaClients.producerConfig(SETTINGS));
        assertThat(p.getString("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(p.getString("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(p.getString("compression.type")).isEqualTo("lz4");
        assertThat(p.getList("bootstrap.servers")).containsExactly("broker:9093");
        assertThat(p.getLong("linger.ms")).isEqualTo(15L);
        assertThat(p.getInt("batch.size")).isEqualTo(262_144);
        assertThat(p.getLong("buffer.memory")).isEqualTo(256L << 20);
    }

    @Test
    void producersCompressWithLz4UnlessTheSettingsSayOtherwise() {
        KafkaClientSettings plain = KafkaClientSettings.of(java.util.Map.of("bootstrap.servers", "broker:9093"));
        assertThat(new ProducerConfig(KafkaClients.producerConfig(plain)).getString("compression.type"))
                .isEqualTo("lz4");
        KafkaClientSettings none = KafkaClientSettings.of(java.util.Map.of("bootstrap.servers", "broker:9093",
                "compression.type", "none"));
        assertThat(new ProducerConfig(KafkaClients.producerConfig(none)).getString("compression.type"))
                .isEqualTo("none");
    }

    @Test
    void consumerHasTheSharedSettingsAndTheToolsTuning() {
        Properties props = KafkaClients.consumerConfig(SETTINGS);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        ConsumerConfig c = new ConsumerConfig(props);
        assertThat(c.getString("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(c.getString("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(c.getInt("max.poll.records")).isEqualTo(2000);
        assertThat(c.getInt("fetch.min.bytes")).isEqualTo(131_072);
        assertThat(c.getInt("fetch.max.wait.ms")).isEqualTo(15);
        assertThat(c.getBoolean("enable.auto.commit")).isFalse();
    }

    @Test
    void kafkaConfigFileAndBootstrapOptionsAreRead() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("kafka", ".properties");
        try {
            java.nio.file.Files.writeString(file, "kafka.sasl.mechanism=PLAIN\nsecurity.protocol=SASL_PLAINTEXT\n");
            KafkaOptions options = new KafkaOptions();
            new CommandLine(options).parseArgs("--bootstrap", "cli:9092", "--kafka-config", file.toString());
            KafkaClientSettings s = options.settings();
            assertThat(s.bootstrapServers()).isEqualTo("cli:9092");
            assertThat(s.shared()).containsEntry("sasl.mechanism", "PLAIN");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
