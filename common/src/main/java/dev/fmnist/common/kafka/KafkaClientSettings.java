package dev.fmnist.common.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The settings every Kafka client of the platform shares: the {@code kafka.*} configuration the
 * services' SmallRye channels are built from (bootstrap, {@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}, compression...), without the prefix. Each client overlays its own tuning (batching,
 * acks, serializers) with {@link #producer}, {@link #consumer} or {@link #admin}.
 *
 * <p>In a Quarkus service they come from the {@code default-kafka-broker} map ({@link #of}); in the
 * tools and the tests' clients, from the same sources read the same way ({@link #load}): an optional
 * properties file, then the environment ({@code KAFKA_SECURITY_PROTOCOL} is {@code security.protocol},
 * as Quarkus maps it: lower case, {@code _} to {@code .}), then {@code -Dkafka.*} system properties,
 * then an explicit bootstrap (a command's {@code --bootstrap}); the later wins.
 */
public final class KafkaClientSettings {
    public static final String PREFIX = "kafka.";
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    private static final String ENV_PREFIX = "kafka_";
    /** Quarkus' Dev UI settings share the prefix but are not client settings. */
    private static final String UI_PREFIX = "kafka.ui";

    private final Map<String, Object> shared;

    private KafkaClientSettings(Map<String, Object> shared) {
        this.shared = Collections.unmodifiableMap(shared);
    }

    /** Settings already without the prefix, e.g. Quarkus' {@code @Identifier("default-kafka-broker")} map (copied). */
    public static KafkaClientSettings of(Map<String, ?> settings) {
        return new KafkaClientSettings(new HashMap<>(settings));
    }

    /** {@link #load} from this process's environment and system properties. */
    public static KafkaClientSettings load(Path file, String bootstrap) {
        return load(System.getenv(), System.getProperties(), file, bootstrap);
    }

    /**
     * The settings from, in increasing precedence: {@code file} (optional; keys with or without the
     * {@code kafka.} prefix, e.g. a Kafka {@code client.properties}), environment variables {@code
     * KAFKA_*}, system properties {@code kafka.*}, and {@code bootstrap} (optional); bootstrap servers
     * default to {@value #DEFAULT_BOOTSTRAP}.
     */
    public static KafkaClientSettings load(Map<String, String> env, Properties system, Path file, String bootstrap) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP);
        if (file != null) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Kafka settings in " + file + ": " + e.getMessage(), e);
            }
            for (String name : p.stringPropertyNames()) {
                String key = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
                settings.put(key, p.getProperty(name).trim());
            }
        }
        env.forEach((name, value) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (key.startsWith(ENV_PREFIX)) {
                settings.put(key.substring(ENV_PREFIX.length()).replace('_', '.'), value);
            }
        });
        for (String name : system.stringPropertyNames()) {
            String key = name.toLowerCase(Locale.ROOT);
            if (key.startsWith(PREFIX) && !key.startsWith(UI_PREFIX)) {
                settings.put(key.substring(PREFIX.length()), system.getProperty(name));
            }
        }
        if (bootstrap != null && !bootstrap.isBlank()) {
            settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        }
        return new KafkaClientSettings(settings);
    }

    /** The shared settings (without prefix), unmodifiable. */
    public Map<String, Object> shared() {
        return shared;
    }

    public String bootstrapServers() {
        Object b = shared.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return b == null ? DEFAULT_BOOTSTRAP : b.toString();
    }

    /** A producer's configuration: the shared settings (less a consumer's {@code group.id}), then {@code tuning}. */
    public Properties producer(Map<String, ?> tuning) {
        return overlay(true, tuning);
    }

    /** A consumer's configuration: the shared settings, then {@code tuning}. */
    public Properties consumer(Map<String, ?> tuning) {
        return overlay(false, tuning);
    }

    /** An admin client's configuration: the shared settings (less {@code group.id}), then {@code tuning}. */
    public Properties admin(Map<String, ?> tuning) {
        return overlay(true, tuning);
    }

    private Properties overlay(boolean withoutGroup, Map<String, ?> tuning) {
        Properties p = new Properties();
        p.putAll(shared);
        if (withoutGroup) {
            p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        }
        p.putAll(tuning);
        return p;
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new HashMap<>(shared);
        shown.replaceAll((k, v) -> k.contains("password") || k.contains("jaas") ? "***" : v);
        return "KafkaClientSettings" + shown;
    }
}
