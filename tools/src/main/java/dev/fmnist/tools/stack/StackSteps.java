package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.launcher.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** The steps 'up' and 'benchmark' share: the port check, a new run directory, the broker with its topics. */
final class StackSteps {
    private StackSteps() {
    }

    /** Fails with what to do when a port of the broker or of one of {@code services} is taken. */
    static void checkPortsFree(StackSettings s, List<String> services) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("kafka", s.kafkaPort);
        ports.put("controller", s.controllerPort);
        for (String svc : services) {
            ports.put(svc, s.servicePort(svc));
        }
        if (services.contains("inference-service")) {
            ports.put("inference-service gRPC", s.inferenceGrpcPort());
        }
        ports.forEach((name, port) -> {
            if (KafkaBrokerProcess.portOpen(port)) {
                throw new StackException("port " + port + " (" + name + ") is already in use on 127.0.0.1",
                        "Another stack may be running: './fmnist status', './fmnist down'.",
                        "Otherwise free the port or choose another one (see './fmnist help', Environment).");
            }
        });
    }

    /** runs/yyyyMMdd-HHmmss, new, with runs/latest pointing at it. */
    static RunDirectory newRunDirectory(StackSettings s) throws Exception {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
        String stamp = LocalDateTime.now().format(f);
        while (Files.exists(s.runsDir.resolve(stamp))) {
            Thread.sleep(1000);
            stamp = LocalDateTime.now().format(f);
        }
        Path dir = Files.createDirectories(s.runsDir.resolve(stamp));
        Path latest = s.runsDir.resolve("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, Path.of(stamp));
        return new RunDirectory(dir);
    }

    /**
     * The broker on {@code dataDir} (formatted when new, reused otherwise), its pid file in {@code run}, then the
     * topics of common's table; {@code seconds} says how long the run has taken so far.
     */
    static KafkaBrokerProcess startKafka(StackSettings s, RunDirectory run, Path dataDir, LongSupplier seconds)
            throws Exception {
        Path log = run.log("kafka");
        List<String> jvm = new ArrayList<>(List.of("-Xms128m", "-Xmx" + s.kafkaHeap, "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"));
        jvm.addAll(KafkaBrokerProcess.simpleLoggerOptions());
        KafkaBrokerProcess broker = KafkaBrokerProcess.configure(run.dir, s.root.resolve(dataDir), s.kafkaPort,
                s.controllerPort).log(log).jvmOptions(jvm).detached(true);
        if (broker.needsFormat()) {
            String cluster = org.apache.kafka.common.Uuid.randomUuid().toString();
            say("Kafka: formatting " + dataDir + " (cluster " + cluster + ")");
            try {
                broker.formatIfNeeded(cluster);
            } catch (IllegalStateException e) {
                throw new StackException("formatting the Kafka storage failed", "See " + log);
            }
        } else {
            say("Kafka: reusing the data in " + dataDir + " (--reset starts empty)");
        }
        say("Kafka: starting the broker on 127.0.0.1:" + s.kafkaPort + " (log: " + log + ")");
        try {
            broker.startAgain(Duration.ofSeconds(s.startTimeout));
        } catch (IllegalStateException e) {
            throw new StackException(e.getMessage(), "Last lines:\n" + tail(log, 5));
        } finally {
            if (broker.pid() > 0) {
                run.pidFile("kafka").write(broker.pid());
            }
        }
        say("Kafka: ready after " + seconds.getAsLong() + "s");
        say("Kafka: topics");
        try {
            broker.createTopics(outcome -> System.out.println("  " + outcome.describe()));
        } catch (Exception e) {
            throw new StackException("creating the topics failed: " + e.getMessage(), "See also " + log);
        }
        return broker;
    }

    /**
     * trainer-service's command line ({@code train ...}, {@code benchmark ...}) in a JVM of its own: its console in
     * {@code out} (printed when it ends), its log in {@code log}; fails with {@code failure} when it does.
     */
    static void runTrainer(StackSettings s, Map<String, String> env, String heap, Path out, Path log, Duration timeout,
                           String failure, List<String> args) throws Exception {
        runTrainer(s, env, heap, out, log, timeout, failure, args, false);
    }

    /**
     * Trainer CLI runs in progress: a stack stopped while one trains ('./fmnist down' during the background training
     * of 'up') stops them too ({@link #stopTrainers}); they are no service with a pid file of their own.
     */
    private static final java.util.Set<ServiceProcess> TRAINERS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Stops every trainer CLI run this JVM started and that is still running. */
    static void stopTrainers() {
        for (ServiceProcess trainer : TRAINERS) {
            if (trainer.isAlive()) {
                trainer.close();
            }
        }
    }

    /** {@code resultsOnly}: print only the trainer's result lines (it runs beside other output). */
    static void runTrainer(StackSettings s, Map<String, String> env, String heap, Path out, Path log, Duration timeout,
                           String failure, List<String> args, boolean resultsOnly) throws Exception {
        ServiceProcess trainer = ServiceProcess.start("trainer-service", env, s.root, new ServiceProcess.Options()
                .jvmOptions(List.of("-Xmx" + heap, "-Dquarkus.log.console.enable=false", "-Dquarkus.log.file.enable=true",
                        "-Dquarkus.log.file.path=" + log, "-Dquarkus.banner.enabled=false"))
                .log(out), args.toArray(String[]::new));
        TRAINERS.add(trainer);
        int rc;
        try {
            rc = trainer.awaitExit(timeout);
        } finally {
            TRAINERS.remove(trainer);
            if (trainer.isAlive()) {
                trainer.close();
            }
        }
        Files.readAllLines(out).stream()
                .filter(line -> !resultsOnly || line.contains("test accuracy") || line.contains("failed"))
                .forEach(System.out::println);
        if (rc != 0) {
            throw new StackException(failure, "See " + log);
        }
    }

    /**
     * A service's environment: {@code base} plus, for inference-service, the native threads of its model calls.
     * The broker, three services and the clients share this machine: ONNX Runtime's intra-op pool gets one CPU
     * fewer than the machine has (at least one). With every CPU, its threads waited on each other whenever the
     * broker or the load generator held a core: lenet scored 5x slower in the service than alone
     * (results/benchmarks.md, notes). {@code INFERENCE_THREADS} overrides it. With one native thread per call
     * (2 CPUs or fewer), a large batch is cut into parts on the cores no other call uses ({@code
     * INFERENCE_SPLIT_CORES}, the CPUs): a lone OIP call of 256 images then uses both cores, concurrent Kafka
     * batches one each (benchmarks/NOTES.md, "Batch splitting"). ONNX Runtime's idle threads sleep instead of
     * spinning ({@code INFERENCE_THREAD_SPINNING}).
     */
    static Map<String, String> serviceEnv(StackSettings s, String svc, Map<String, String> base) {
        Map<String, String> env = new HashMap<>(base);
        if (svc.equals("inference-service")) {
            int cpus = Runtime.getRuntime().availableProcessors();
            String threads = s.env.getOrDefault("INFERENCE_THREADS", Integer.toString(cpus > 2 ? cpus - 1 : 1));
            env.put("INFERENCE_THREADS", threads);
            env.put("INFERENCE_SPLIT_CORES", s.env.getOrDefault("INFERENCE_SPLIT_CORES",
                    threads.equals("1") ? Integer.toString(cpus) : "1"));
            // with more than one native thread (INFERENCE_THREADS set), idle ONNX Runtime threads must not spin on
            // cores the broker needs: 2 threads spinning scored lenet 18-27 % slower end to end than sleeping
            env.put("INFERENCE_THREAD_SPINNING", s.env.getOrDefault("INFERENCE_THREAD_SPINNING", "false"));
        }
        return env;
    }

    /** inference-service's young generation (MiB) in the local stack; see {@link #serviceJvm}. */
    static final int INFERENCE_YOUNG_MB = 160;

    /**
     * A service's JVM options: its heap ({@code FMNIST_SERVICE_HEAP}), SerialGC, then {@code FMNIST_SERVICE_JAVA_OPTS}.
     *
     * <p>inference-service gets a young generation of {@value #INFERENCE_YOUNG_MB} MiB (at most 40 % of its heap) and
     * starts with room for it. Under Kafka load it allocates about 20 kB a record, and a batch lives for the producer's
     * linger and the broker's acknowledgement (tens of ms). With SerialGC's default young generation (a third of a
     * heap that stayed at 79 MB), a young collection came every 35 ms, the batches in flight were promoted, and the
     * old generation filled: 11 full collections of 61-152 ms in one lenet run, one of them 107 ms inside the
     * half-load phase where its p99 was measured. With this, none (benchmarks/NOTES.md, "Heap of inference-service").
     */
    static List<String> serviceJvm(StackSettings s, String svc) {
        List<String> jvm = new ArrayList<>(List.of("-Xms64m", "-Xmx" + s.serviceHeap, "-XX:+UseSerialGC"));
        long heapMb = megabytes(s.serviceHeap);
        if (svc.equals("inference-service") && heapMb > 0) {
            long young = Math.min(INFERENCE_YOUNG_MB, heapMb * 2 / 5);
            jvm.set(0, "-Xms" + Math.min(heapMb, young + 96) + "m");
            jvm.add("-Xmn" + young + "m");
        }
        String extra = s.env.getOrDefault("FMNIST_SERVICE_JAVA_OPTS", "").trim();
        if (!extra.isEmpty()) {
            jvm.addAll(Arrays.asList(extra.split("\\s+")));
        }
        return jvm;
    }

    /** A JVM size ({@code 512m}, {@code 1g}, {@code 1024M}, bytes) in MiB, or -1 when it is not one. */
    static long megabytes(String size) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([kKmMgG]?)").matcher(size.trim());
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "g" -> n * 1024;
            case "m" -> n;
            case "k" -> n / 1024;
            default -> n / (1024 * 1024);
        };
    }

    /** One client for the stack's HTTP calls (readiness bodies, the trainer's REST API): its threads are made once. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** The body of a GET, or "" when it cannot be had. */
    static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A POST of a JSON body with the trainer's admin token. */
    static HttpResponse<String> postJson(String url, String body, String token) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The last {@code lines} lines of a log, for an error message. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
