package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.launcher.PidFile;
import dev.fmnist.launcher.ServiceProcess;
import dev.fmnist.tools.demo.StreamTestSetCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./fmnist up}: checks, the database, the broker (storage formatted once), the topics, the services, the
 * models the registry lacks, a stream of test images, the URLs; then watches the processes until Ctrl-C or
 * {@code ./fmnist down}, and stops the services, then the broker.
 */
@Command(name = "up", description = "Start Kafka and the services, train missing models, stream test images, keep running.")
public final class UpCommand implements Callable<Integer> {
    static final List<String> MODELS = List.of("lenet", "cnn", "xgboost");

    @Option(names = "--build", description = "rebuild the services (done by the fmnist script before this runs)")
    boolean build;

    @Option(names = "--reset", description = "start clean: delete the broker's data and drop the local database")
    boolean reset;

    @Option(names = "--full", description = "train missing models with the full settings")
    boolean full;

    @Option(names = "--images", paramLabel = "N", defaultValue = "10000", description = "test images to stream (0 = none)")
    int images;

    @Option(names = "--explain", paramLabel = "N", defaultValue = "200", description = "of those, how many ask for explanations")
    int explain;

    private StackSettings s;
    private long t0;
    private volatile RunDirectory run;
    private volatile boolean exitingOnOurOwn;
    /** Set by the shutdown hook: from then on the processes stop on purpose, and the watcher says nothing. */
    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        s = StackSettings.fromEnvironment();
        if (images < 0 || explain < 0) {
            throw new StackException((images < 0 ? "--images" : "--explain") + " needs a number", "See './fmnist help'.");
        }
        explain = Math.min(explain, images);
        t0 = System.nanoTime();
        checkNotRunning(s);
        StackSteps.checkPortsFree(s, s.services);
        String datasource = Database.prepare(s, reset);

        run = StackSteps.newRunDirectory(s);
        run.pidFile("up").write(ProcessHandle.current().pid());
        say("run directory: " + run);
        // from here on, whatever happens, stop what this run started
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopEverything, "fmnist-stop"));
        try {
            return upAndWatch(datasource);
        } catch (StackException e) {
            exitingOnOurOwn = true;
            throw e;
        }
    }

    private Integer upAndWatch(String datasource) throws Exception {
        long lockWait;
        KafkaBrokerProcess broker;
        try (HeavyLock lock = HeavyLock.take(s.env.get("FMNIST_LOCK"))) {
            lockWait = lock.waitedSeconds;
            t0 += lockWait * 1_000_000_000L; // times below: without the wait for the lock
            broker = startKafka();
            for (String svc : s.services) {
                startService(svc, datasource);
            }
            for (String svc : s.services) {
                waitReady(svc);
            }
        }
        say("the stack is ready in " + seconds() + "s" + (lockWait > 0 ? " (plus " + lockWait + "s waiting for the lock)" : ""));
        trainMissingModels(datasource);
        if (images > 0) {
            waitInferenceReady();
            int rc = new CommandLine(new StreamTestSetCommand()).execute("--images", Integer.toString(images),
                    "--explain", Integer.toString(explain), "--bootstrap", broker.bootstrapServers(),
                    "--explainer-url", s.explainerUrl());
            if (rc != 0) {
                say("the stream did not complete (see above); the stack keeps running");
            }
        }
        printUrls(datasource);
        say("Ctrl-C (or './fmnist down' in another terminal) stops it; './fmnist score photo.jpg' classifies a photo");

        // watch the processes until a signal arrives; a process that dies alone ends the stack
        List<String> watched = new ArrayList<>(List.of("kafka"));
        watched.addAll(s.services);
        while (true) {
            for (String name : watched) {
                if (run.pidFile(name).live().isEmpty()) {
                    if (stopping) {
                        return 0;
                    }
                    exitingOnOurOwn = true;
                    say(name + " exited unexpectedly: see " + run.log(name));
                    return 1;
                }
            }
            Thread.sleep(2000);
        }
    }

    /** The shutdown hook: Ctrl-C, './fmnist down' (SIGTERM), an error or a dead process. */
    private void stopEverything() {
        RunDirectory r = run;
        if (r == null) {
            return;
        }
        stopping = true;
        if (!exitingOnOurOwn) {
            System.out.println();
            say("stopping");
        }
        r.stopAll(s.services);
        r.pidFile("up").delete();
    }

    // ---- checks ----

    static void checkNotRunning(StackSettings s) {
        for (RunDirectory r : RunDirectory.withPidFiles(s.runsDir)) {
            try (Stream<Path> files = Files.list(r.dir)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".pid"))::iterator) {
                    String component = f.getFileName().toString().replaceFirst("\\.pid$", "");
                    if (r.pidFile(component).live().isPresent()) {
                        throw new StackException("a stack is already running from " + r, "Stop it with './fmnist down'.");
                    }
                }
            } catch (IOException e) {
                throw new StackException("cannot read " + r + ": " + e.getMessage());
            }
        }
    }

    // ---- Kafka ----

    private KafkaBrokerProcess startKafka() throws Exception {
        if (reset && Files.isDirectory(s.kafkaDataDir)) {
            say("Kafka: --reset, deleting " + s.kafkaDataDir);
            try (Stream<Path> all = Files.walk(s.kafkaDataDir)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
        return StackSteps.startKafka(s, run, s.kafkaDataDir, this::seconds);
    }

    // ---- services ----

    private void startService(String svc, String datasource) throws IOException {
        int port = s.servicePort(svc);
        Map<String, String> env = StackSteps.serviceEnv(s, svc,
                Map.of("KAFKA_BOOTSTRAP_SERVERS", s.bootstrap(), "QUARKUS_DATASOURCE_JDBC_URL", datasource));
        List<String> jvm = StackSteps.serviceJvm(s);
        say(svc + ": starting on port " + port + " (log: " + run.log(svc) + ")");
        ServiceProcess p = ServiceProcess.start(svc, env, s.root,
                new ServiceProcess.Options().port(port).jvmOptions(jvm).log(run.log(svc)).detached(true));
        run.pidFile(svc).write(p.pid());
    }

    /**
     * Waits for liveness, then gives readiness a moment: inference-service stays not ready until the registry
     * holds a model, which a fresh machine does not have yet, and that must not fail 'up'.
     */
    private void waitReady(String svc) throws Exception {
        String live = s.serviceUrl(svc, "/q/health/live");
        String ready = s.serviceUrl(svc, "/q/health/ready");
        PidFile pid = run.pidFile(svc);
        long deadline = System.nanoTime() + Duration.ofSeconds(s.startTimeout).toNanos();
        while (ServiceProcess.status(live) != 200) {
            if (pid.live().isEmpty()) {
                throw new StackException(svc + " exited during start-up", "See " + run.log(svc),
                        "Last lines:\n" + StackSteps.tail(run.log(svc), 8));
            }
            if (System.nanoTime() > deadline) {
                throw new StackException(svc + " is not live after " + s.startTimeout + "s: " + live + " answers "
                        + ServiceProcess.status(live), "See " + run.log(svc));
            }
            Thread.sleep(1000);
        }
        deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ServiceProcess.status(ready) != 200) {
            if (System.nanoTime() > deadline) {
                String body = StackSteps.get(ready).replaceAll("\\s+", " ");
                say(svc + ": live after " + seconds() + "s but not ready yet: " + body.substring(0, Math.min(300, body.length())));
                if (svc.equals("inference-service")) {
                    say("  (it becomes ready once the registry holds a model: the training below; docs/training.md)");
                }
                return;
            }
            Thread.sleep(1000);
        }
        say(svc + ": ready after " + seconds() + "s");
    }

    private void waitInferenceReady() throws Exception {
        String url = s.serviceUrl("inference-service", "/q/health/ready");
        long deadline = System.nanoTime() + Duration.ofSeconds(s.startTimeout).toNanos();
        while (ServiceProcess.status(url) != 200) {
            if (System.nanoTime() > deadline) {
                throw new StackException("inference-service did not become ready with the new models within "
                        + s.startTimeout + "s", "See " + run.log("inference-service"));
            }
            Thread.sleep(1000);
        }
    }

    // ---- models: train what the registry lacks ----

    /** The trainer CLI's options of the quick settings, a model. */
    static List<String> quickTrainingArgs(String model) {
        return switch (model) {
            case "lenet" -> List.of("--epochs", "8");                         // full data, ~30 s: about 90 %
            case "cnn" -> List.of("--epochs", "3", "--limit", "20000");       // ~1.5 min: about 88 %
            case "xgboost" -> List.of("--epochs", "15", "--limit", "4000");   // grid on 3,600 images, ~1.5 min: about 80 %
            default -> List.of();
        };
    }

    /** A published version of {@code model} exists (asked of the trainer's REST API). */
    private boolean registryHas(String model) {
        try {
            JsonNode versions = new ObjectMapper().readTree(StackSteps.get(s.serviceUrl("trainer-service", "/models")));
            for (JsonNode v : versions) {
                if (model.equals(v.path("name").asText()) && !v.path("publishedAt").isNull()
                        && !v.path("publishedAt").isMissingNode()) {
                    return true;
                }
            }
        } catch (Exception e) {
            // no answer: counted as missing
        }
        return false;
    }

    private void trainMissingModels(String datasource) throws Exception {
        List<String> missing = MODELS.stream().filter(m -> !registryHas(m)).toList();
        if (missing.isEmpty()) {
            say("models: the registry has " + String.join(" ", MODELS) + " (reused; './fmnist up --reset' starts clean)");
            return;
        }
        String mode = full ? "full settings" : "quick settings; --full for the paper-grade ones";
        Path trainLog = s.root.resolve(run.dir).resolve("train.log");
        say("models: training " + String.join(" ", missing) + " (" + mode + "); log: " + run.dir.resolve("train.log"));
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", s.bootstrap(), "QUARKUS_DATASOURCE_JDBC_URL", datasource);
        for (String m : missing) {
            List<String> args = new ArrayList<>(List.of("train", "--model", m, "--out", run.dir.resolve("models").toString()));
            if (!full) {
                args.addAll(quickTrainingArgs(m));
            }
            StackSteps.runTrainer(s, env, "2g", run.dir.resolve("train-" + m + ".out"), trainLog, Duration.ofHours(3),
                    "training " + m + " failed", args);
        }
    }

    private void printUrls(String datasource) {
        System.out.println();
        System.out.println("  Kafka        " + s.bootstrap());
        System.out.println("  PostgreSQL   " + datasource);
        for (String svc : s.services) {
            System.out.printf("  %-18s http://127.0.0.1:%s/q/health   /q/metrics   /q/openapi%n", svc, s.servicePort(svc));
        }
        if (s.services.contains("explainer-service")) {
            System.out.println("  Web page     " + s.explainerUrl() + "/");
        }
        System.out.println("  Logs         " + run.dir + "/");
        System.out.println();
    }

    // ---- small helpers ----

    private long seconds() {
        return Duration.ofNanos(System.nanoTime() - t0).toSeconds();
    }
}
