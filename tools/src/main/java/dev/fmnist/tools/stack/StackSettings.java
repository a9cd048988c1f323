package dev.fmnist.tools.stack;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The local stack's settings: fixed ports and sizes, each overridden by an environment variable ({@code ./fmnist help}). */
final class StackSettings {
    static final List<String> ALL_SERVICES = List.of("trainer-service", "inference-service", "explainer-service");
    static final String PG_HOST = "127.0.0.1";
    static final int PG_PORT = 5432;

    final Map<String, String> env;
    final Path root = Path.of("").toAbsolutePath();
    final Path runsDir; // runs/, or FMNIST_RUNS_DIR (the tests' stacks keep theirs apart)
    final Path kafkaDataDir; // kept across restarts, removed by --reset
    final int kafkaPort;
    final int controllerPort;
    final String kafkaHeap;
    final String serviceHeap;
    final int startTimeout; // seconds, per stage
    final List<String> services;
    String pgDatabase = "fmnist";

    StackSettings(Map<String, String> env) {
        this.env = env;
        runsDir = Path.of(env.getOrDefault("FMNIST_RUNS_DIR", "runs"));
        kafkaDataDir = runsDir.resolve("kafka-data");
        kafkaPort = port("FMNIST_KAFKA_PORT", 9092);
        controllerPort = port("FMNIST_KAFKA_CONTROLLER_PORT", 9093);
        kafkaHeap = env.getOrDefault("FMNIST_KAFKA_HEAP", "512m");
        serviceHeap = env.getOrDefault("FMNIST_SERVICE_HEAP", "512m");
        startTimeout = number("FMNIST_START_TIMEOUT", 180);
        String list = env.getOrDefault("FMNIST_SERVICES", String.join(" ", ALL_SERVICES)).trim();
        services = list.isEmpty() ? List.of() : Arrays.asList(list.split("\\s+"));
        for (String s : services) {
            if (!ALL_SERVICES.contains(s)) {
                throw new StackException("FMNIST_SERVICES names an unknown service: " + s,
                        "Choose among " + String.join(", ", ALL_SERVICES) + ".");
            }
        }
    }

    static StackSettings fromEnvironment() {
        return new StackSettings(System.getenv());
    }

    int servicePort(String service) {
        return switch (service) {
            case "trainer-service" -> port("FMNIST_TRAINER_PORT", 8081);
            case "inference-service" -> port("FMNIST_INFERENCE_PORT", 8082);
            case "explainer-service" -> port("FMNIST_EXPLAINER_PORT", 8083);
            default -> throw new IllegalArgumentException(service);
        };
    }

    /** inference-service's gRPC port (OIP v2 over gRPC). */
    int inferenceGrpcPort() {
        return port("FMNIST_INFERENCE_GRPC_PORT", 8085);
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    String explainerUrl() {
        return "http://127.0.0.1:" + servicePort("explainer-service");
    }

    String serviceUrl(String service, String path) {
        return "http://127.0.0.1:" + servicePort(service) + path;
    }

    /** The pattern of each component's command line, for its pid file. */
    static String pidPattern(String component) {
        return switch (component) {
            case "kafka" -> "kafka.Kafka";
            case "up" -> "fmnist"; // ToolsMain (dev.fmnist.tools): up or benchmark
            default -> component + "/target/quarkus-app/quarkus-run.jar";
        };
    }

    private int port(String variable, int fallback) {
        return number(variable, fallback);
    }

    private int number(String variable, int fallback) {
        String v = env.get(variable);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new StackException(variable + " must be a number, not '" + v + "'", "See './fmnist help', Environment.");
        }
    }
}
