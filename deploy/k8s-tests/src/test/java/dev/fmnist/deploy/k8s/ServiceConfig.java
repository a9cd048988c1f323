package dev.fmnist.deploy.k8s;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A service's configuration as its sources declare it: application.properties (every profile), the
 * {@code @ConfigMapping} interfaces, and the environment variables its code (and common's) reads itself.
 */
final class ServiceConfig {
    /** Standard Quarkus / Kafka keys in environment form that the manifests may set without the service naming them. */
    static final Set<String> STANDARD_ENV = Set.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
            "QUARKUS_DATASOURCE_PASSWORD", "KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_HTTP_PORT", "QUARKUS_HTTP_HOST",
            "QUARKUS_LOG_LEVEL", "QUARKUS_PROFILE");
    /** Read by run-java.sh, the entry point of the UBI OpenJDK images (src/main/docker/Dockerfile.jvm), not by Quarkus. */
    static final Set<String> RUN_JAVA_ENV = Set.of("JAVA_MAX_MEM_RATIO", "JAVA_INITIAL_MEM_RATIO", "JAVA_MAX_INITIAL_MEM",
            "JAVA_OPTS_APPEND", "JAVA_APP_JAR", "JAVA_DEBUG", "JAVA_DEBUG_PORT", "GC_MAX_METASPACE_SIZE");

    private static final Pattern MAPPING_PREFIX = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern METHOD = Pattern.compile("^\\s*(?:public\\s+)?([\\w.<>?,\\[\\] ]+?)\\s+(\\w+)\\(\\)\\s*;");
    private static final Pattern ENV_LITERAL = Pattern.compile("\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\"");

    final String service;
    /** Raw keys as written, profile prefixes ({@code %test.}) included. */
    final Map<String, String> raw;

    private ServiceConfig(String service, Map<String, String> raw) {
        this.service = service;
        this.raw = raw;
    }

    static ServiceConfig load(String service) {
        return fromProperties(service, Repo.read(Repo.service(service).resolve("src/main/resources/application.properties")));
    }

    static ServiceConfig fromProperties(String service, String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> raw = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> raw.put(k, p.getProperty(k)));
        return new ServiceConfig(service, raw);
    }

    /** The value in the prod profile: {@code %prod.key} over {@code key}. */
    Optional<String> prod(String key) {
        return Optional.ofNullable(raw.getOrDefault("%prod." + key, raw.get(key)));
    }

    int httpPort() {
        return Integer.parseInt(prod("quarkus.http.port").orElse("8080"));
    }

    /** The gRPC server's port ({@code quarkus.grpc.server.port}), empty for a service without one. */
    Optional<Integer> grpcPort() {
        return prod("quarkus.grpc.server.port").map(Integer::parseInt);
    }

    String applicationName() {
        return prod("quarkus.application.name").orElse(service);
    }

    /** Every key any profile sets, without its profile prefix. */
    Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        for (String k : raw.keySet()) {
            keys.add(k.startsWith("%") ? k.substring(k.indexOf('.') + 1) : k);
        }
        return keys;
    }

    /** An incoming channel: its topic (default: the channel name) and consumer group. */
    record Channel(String name, String topic, String groupId, Optional<String> autoOffsetReset) {
    }

    Map<String, Channel> incoming() {
        Map<String, Channel> out = new LinkedHashMap<>();
        String prefix = "mp.messaging.incoming.";
        for (String k : keys()) {
            if (k.startsWith(prefix) && k.endsWith(".connector")) {
                String channel = k.substring(prefix.length(), k.length() - ".connector".length());
                String base = prefix + channel + ".";
                // Quarkus: a channel without group.id joins the group named after quarkus.application.name
                out.put(channel, new Channel(channel, prod(base + "topic").orElse(channel),
                        prod(base + "group.id").orElse(applicationName()), prod(base + "auto.offset.reset")));
            }
        }
        return out;
    }

    /** Topics of every channel, incoming and outgoing, and of the services' own producers (keys {@code ...-topic}). */
    Set<String> topics() {
        Set<String> out = new TreeSet<>();
        for (String k : keys()) {
            if (k.startsWith("mp.messaging.") && k.endsWith(".topic") || k.endsWith("-topic")) {
                prod(k).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Keys of the service's {@code @ConfigMapping} interfaces ({@code prefix.kebab-case-method}). */
    Set<String> mappingKeys() {
        return mappingKeys(Repo.service(service).resolve("src/main/java"));
    }

    static Set<String> mappingKeys(Path sources) {
        Set<String> keys = new TreeSet<>();
        for (Path file : javaFiles(sources)) {
            String text = Repo.read(file);
            Matcher m = MAPPING_PREFIX.matcher(text);
            if (m.find()) {
                keys.addAll(mappingKeys(m.group(1), text));
            }
        }
        return keys;
    }

    /**
     * The abstract no-argument methods of one mapping interface, each as {@code prefix.kebab-name}; a method
     * returning a nested interface is a group whose methods get {@code prefix.group.}.
     */
    static Set<String> mappingKeys(String prefix, String source) {
        Pattern nested = Pattern.compile("\\binterface\\s+(\\w+)");
        java.util.List<String[]> leaves = new java.util.ArrayList<>(); // {interface ("" = the mapping), return type, key}
        String current = "";
        int depth = 0;
        int nestedBody = -1;
        String pendingName = null;
        for (String line : source.split("\n")) {
            Matcher iface = nested.matcher(line);
            if (iface.find() && depth >= 1) {
                current = iface.group(1);
                nestedBody = depth + 1;
            }
            int bodyDepth = current.isEmpty() ? 1 : nestedBody;
            Matcher named = WITH_NAME.matcher(line);
            if (named.find()) {
                pendingName = named.group(1);
            }
            String trimmed = line.strip();
            Matcher method = METHOD.matcher(line);
            if (depth == bodyDepth && !trimmed.startsWith("default ") && !trimmed.startsWith("static ")
                    && !trimmed.startsWith("return ") && method.find()) {
                String type = method.group(1).strip();
                leaves.add(new String[] {current, type.substring(type.lastIndexOf('.') + 1), pendingName != null ? pendingName : kebab(method.group(2))});
                pendingName = null;
            } else if (trimmed.startsWith("default ") || trimmed.startsWith("static ")) {
                pendingName = null;
            }
            for (char c : line.toCharArray()) {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            if (!current.isEmpty() && depth < nestedBody) {
                current = "";
            }
        }
        Map<String, String> groups = new LinkedHashMap<>();
        Set<String> nestedNames = new TreeSet<>();
        leaves.forEach(l -> nestedNames.add(l[0]));
        for (String[] l : leaves) {
            if (l[0].isEmpty() && nestedNames.contains(l[1])) {
                groups.put(l[1], l[2]);
            }
        }
        Set<String> keys = new TreeSet<>();
        for (String[] l : leaves) {
            if (l[0].isEmpty() && !groups.containsKey(l[1])) {
                keys.add(prefix + "." + l[2]);
            } else if (!l[0].isEmpty() && groups.containsKey(l[0])) {
                keys.add(prefix + "." + groups.get(l[0]) + "." + l[2]);
            }
        }
        return keys;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** Quarkus' environment form of a key: upper case, every other character than a letter or digit an underscore. */
    static String envForm(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 128 ? Character.toUpperCase(c) : '_');
        }
        return sb.toString();
    }

    /** Names the code of the service and of common reads with System.getenv (string literals in those files). */
    Set<String> envReadByCode() {
        Set<String> out = new TreeSet<>();
        for (Path dir : new Path[] {Repo.service(service).resolve("src/main/java"), Repo.ROOT.resolve("common/src/main/java")}) {
            for (Path file : javaFiles(dir)) {
                String text = Repo.read(file);
                if (text.contains("getenv")) {
                    Matcher m = ENV_LITERAL.matcher(text);
                    while (m.find()) {
                        out.add(m.group(1));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Kafka client settings in environment form ({@code KAFKA_SASL_JAAS_CONFIG} is {@code kafka.sasl.jaas.config}): every
     * {@code kafka.*} key reaches the services' channels and plain clients (common's KafkaClientSettings), so each
     * producer or consumer configuration name of kafka-clients is a key of every service.
     */
    static final Set<String> KAFKA_CLIENT_ENV = kafkaClientEnv();

    private static Set<String> kafkaClientEnv() {
        Set<String> out = new TreeSet<>();
        java.util.stream.Stream.concat(org.apache.kafka.clients.producer.ProducerConfig.configNames().stream(),
                org.apache.kafka.clients.consumer.ConsumerConfig.configNames().stream())
                .forEach(k -> out.add(envForm("kafka." + k)));
        return out;
    }

    /** Every environment variable name a container of this service may set. */
    Set<String> allowedEnv() {
        Set<String> out = new TreeSet<>(STANDARD_ENV);
        out.addAll(KAFKA_CLIENT_ENV);
        out.addAll(RUN_JAVA_ENV);
        keys().forEach(k -> out.add(envForm(k)));
        mappingKeys().forEach(k -> out.add(envForm(k)));
        out.addAll(envReadByCode());
        return out;
    }

    private static java.util.List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
