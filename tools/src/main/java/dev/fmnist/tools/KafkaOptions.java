package dev.fmnist.tools;

import dev.fmnist.common.kafka.KafkaClientSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the broker is and how to reach it, for every command with Kafka clients: the same {@code kafka.*}
 * settings the services read ({@link KafkaClientSettings}: {@code --kafka-config} file, then {@code KAFKA_*}
 * environment variables, then {@code -Dkafka.*} system properties, then {@code --bootstrap}).
 */
public final class KafkaOptions {
    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (default: kafka.bootstrap.servers or "
            + "KAFKA_BOOTSTRAP_SERVERS, else " + KafkaClientSettings.DEFAULT_BOOTSTRAP + ")")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client settings (security.protocol, "
            + "sasl.*, ssl.*...), with or without the kafka. prefix; KAFKA_* variables and -Dkafka.* override them")
    Path config;

    /** The settings of this process's Kafka clients. */
    public KafkaClientSettings settings() {
        return KafkaClientSettings.load(config, bootstrap);
    }
}
