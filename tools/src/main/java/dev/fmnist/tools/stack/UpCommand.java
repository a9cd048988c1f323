package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.launcher.PidFile;
import dev.fmnist.launcher.ServiceProcess;
import dev.fmnist.tools.demo.DemoTally;
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
    static final List<String> MODELS = List.of("lenet", "cnn", "xgboost", "forest"); // the order of --models' default

    @Option(names = "--build", description = "rebuild the services (done by the fmnist script before this runs)")
    boolean build;

    @Option(names = "--reset", description = "start clean: delete the broker's data and drop the local database")
    boolean reset;

    @Option(names = "--full", description = "train missing models with the full settings")
    boolean full;

    @Option(names = "--images", paramLabel = "N", defaultValue = "10000", description = "test images to stream (0 = none)")
    int images;

    @Option(names = "--explain", paramLabel = "N", defaultValue = "100", description = "of those, how many ask for explanations (each about 1.5 s of one core for cnn, docs/explainer.md)")
    int explain;

    @Option(names = "--models", paramLabel = "LIST", split = ",", defaultValue = "lenet,cnn,xgboost,forest",
            description = "the models to train when missing and to stream to")
    List<String> models;

    /** The first look: this many images (this many explained) go to the first model while the others train. */
    static final int FIRST_LOOK_IMAGES = 1000;
    static final int FIRST_LOOK_EXPLAIN = 10;

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
        for (String m : models) {
            if (!MODELS.contains(m)) {
                throw new StackException("--models names an unknown model: " + m, "Choose among " + String.join(", ", MODELS) + ".");
            }
        }
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
        Examples.write(run.dir.resolve("examples"), dev.fmnist.common.data.FashionMnist.load().test());
        say("the stack is ready in " + seconds() + "s" + (lockWait > 0 ? " (plus " + lockWait + "s waiting for the lock)" : ""));
        DemoTally tally = trainAndStream(datasource, broker);
        printUrls(datasource);
        printThingsToTry();
        say("Ctrl-C (or './fmnist down' in another terminal) stops it");

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
        StackSteps.stopTrainers(); // a background training would otherwise outlive the stack it trains for
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
        List<String> jvm = StackSteps.serviceJvm(s, svc);
        say(svc + ": starting on port " + port + " (log: " + run.log(svc) + ")");
        ServiceProcess p = ServiceProcess.start(svc, env, s.root,
                new ServiceProcess.Options().port(port).grpcPort(s.inferenceGrpcPort()).jvmOptions(jvm).log(run.log(svc))
                        .detached(true));
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
        if (svc.equals("inference-service") && s.services.contains("trainer-service")
                && models.stream().noneMatch(this::registryHas)) {
            say(svc + ": live after " + seconds() + "s; ready once the registry holds a model (trained below)");
            return;
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
            case "cnn" -> List.of("--epochs", "4");                           // full data, in the background: ~3 min
            case "xgboost" -> List.of("--epochs", "15", "--limit", "4000");   // grid on 3,600 images, ~1.5 min: about 80 %
            case "forest" -> List.of("--epochs", "10", "--limit", "4000");    // 10 trees per class, 3,600 images: about 80 %
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

    /**
     * Trains what the registry lacks and streams the test images, the first explanation as early as possible:
     * the first missing model (lenet by preference: it trains in about 30 s) in the foreground, the others in
     * the background; a first look of {@value #FIRST_LOOK_IMAGES} images goes to the models already registered
     * while the others train; once every model is registered (the services load each by hot reload), the full
     * stream goes to all of them. Returns the full stream's tally, or null when nothing was streamed.
     */
    private DemoTally trainAndStream(String datasource, KafkaBrokerProcess broker) throws Exception {
        List<String> missing = models.stream().filter(m -> !registryHas(m)).toList();
        BackgroundTraining background = null;
        if (missing.isEmpty()) {
            say("models: the registry has " + String.join(" ", models) + " (reused; './fmnist up --reset' starts clean)");
        } else {
            String first = missing.contains("lenet") ? "lenet" : missing.get(0);
            List<String> rest = missing.stream().filter(m -> !m.equals(first)).toList();
            say("models: training " + first + " now" + (rest.isEmpty() ? "" : ", then " + String.join(" ", rest)
                    + " in the background") + " (" + (full ? "full settings" : "quick settings; --full for the paper-grade ones")
                    + "); log: " + run.dir.resolve("train.log"));
            train(first, datasource, false);
            if (!rest.isEmpty()) {
                background = new BackgroundTraining(rest, datasource);
                background.start();
            }
        }
        if (images == 0) {
            if (background != null) {
                background.finish();
            }
            return null;
        }
        boolean firstLookDone = false;
        if (background != null) {
            List<String> registered = models.stream().filter(this::registryHas).toList();
            waitModelsReady(registered);
            int n = Math.min(FIRST_LOOK_IMAGES, images);
            say("first look: " + n + " test images to " + String.join(" ", registered) + " while "
                    + String.join(" ", background.models) + " train" + (background.models.size() > 1 ? "" : "s"));
            firstLookDone = stream(n, Math.min(FIRST_LOOK_EXPLAIN, explain), registered, broker) != null;
            background.finish();
        }
        waitModelsReady(models);
        say((firstLookDone ? "every model is registered and loaded: " : "") + "streaming " + images + " test images to "
                + String.join(" ", models));
        DemoTally tally = stream(images, explain, models, broker);
        if (tally != null && !full) {
            explainRanking(tally);
        }
        return tally;
    }

    /** Runs a stream of test images; prints when the first explanation is stored. Null when it did not complete. */
    private DemoTally stream(int n, int explained, List<String> to, KafkaBrokerProcess broker) {
        StreamTestSetCommand stream = new StreamTestSetCommand().onFirstExplanation(this::firstExplanation);
        int rc = new CommandLine(stream).execute("--images", Integer.toString(n), "--explain", Integer.toString(explained),
                "--models", String.join(",", to), "--bootstrap", broker.bootstrapServers(),
                "--explainer-url", s.explainerUrl());
        if (stream.explainedPage() != null) {
            explainedPage = stream.explainedPage();
        }
        if (rc != 0) {
            say("the stream did not complete (see above); the stack keeps running");
            return null;
        }
        return stream.tally();
    }

    private String explainedPage;
    private boolean firstExplanationSaid;

    /** The first stored explanation of this run: checked through the API the web page reads, then announced. */
    private void firstExplanation(String page) {
        if (firstExplanationSaid) {
            return;
        }
        firstExplanationSaid = true;
        String id = page.substring(page.lastIndexOf('/') + 1);
        boolean served;
        try {
            served = StackSteps.get(s.explainerUrl() + "/api/predictions/" + id).contains("\"explanations\"");
        } catch (Exception e) {
            served = false;
        }
        String buildEnd = s.env.get("FMNIST_BUILD_T1");
        String after = buildEnd == null ? seconds() + " s after the start"
                : (System.currentTimeMillis() / 1000 - Long.parseLong(buildEnd)) + " s after the build";
        say("first explained prediction " + (served ? "on the web page" : "stored") + " (" + after + "): " + page);
    }

    /**
     * The quick settings should rank the models as the full ones do (cnn >= lenet > xgboost, results/training.md);
     * where this run's figures do not, say so and why, rather than leave the reader to wonder.
     */
    private void explainRanking(DemoTally tally) {
        if (!models.contains("cnn") || !models.contains("lenet")) {
            return;
        }
        double cnn = tally.accuracy("cnn"), lenet = tally.accuracy("lenet");
        if (cnn < lenet) {
            say(String.format(java.util.Locale.ROOT, "note: here cnn (%.2f %%) ranks below lenet (%.2f %%): the quick settings give"
                    + " cnn %s, a fraction of the 30 epochs that make it the better model (93 %% vs 91.5 %%,"
                    + " results/training.md); './fmnist up --reset --full' trains the full ones", 100 * cnn, 100 * lenet,
                    String.join(" ", quickTrainingArgs("cnn"))));
        }
    }

    /** The other missing models, trained one after the other in the background while the first look streams. */
    private final class BackgroundTraining {
        final List<String> models;
        final String datasource;
        private final Thread thread;
        private volatile Exception failure;

        BackgroundTraining(List<String> models, String datasource) {
            this.models = models;
            this.datasource = datasource;
            this.thread = new Thread(this::trainAll, "fmnist-background-training");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void trainAll() {
            try {
                for (String m : models) {
                    train(m, datasource, true);
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        /** Waits for the last model; a failed training ends 'up' as it would in the foreground. */
        void finish() throws Exception {
            if (thread.isAlive()) {
                say("waiting for the background training of " + String.join(" ", models) + " (log: "
                        + run.dir.resolve("train.log") + ")");
            }
            thread.join();
            if (failure != null && !stopping) { // stopped on purpose ('./fmnist down'): the training was ended, not failed
                throw failure;
            }
        }
    }

    /** Trains one model with the trainer CLI; in the background only its result lines are printed. */
    private void train(String model, String datasource, boolean quietly) throws Exception {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", s.bootstrap(), "QUARKUS_DATASOURCE_JDBC_URL", datasource);
        List<String> args = new ArrayList<>(List.of("train", "--model", model, "--out", run.dir.resolve("models").toString()));
        if (!full) {
            args.addAll(quickTrainingArgs(model));
        }
        long started = System.nanoTime();
        StackSteps.runTrainer(s, env, "2g", run.dir.resolve("train-" + model + ".out"), run.dir.resolve("train.log"),
                Duration.ofHours(3), "training " + model + " failed", args, quietly);
        say(model + " registered after " + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s of training"
                + (quietly ? " in the background: the services load it now" : ""));
    }

    /** Waits until inference-service serves each model (OIP model readiness), so that a stream reaches all of them. */
    private void waitModelsReady(List<String> names) throws Exception {
        waitInferenceReady();
        long deadline = System.nanoTime() + Duration.ofSeconds(s.startTimeout).toNanos();
        for (String m : names) {
            String url = s.serviceUrl("inference-service", "/v2/models/" + m + "/ready");
            while (ServiceProcess.status(url) != 200) {
                if (System.nanoTime() > deadline) {
                    throw new StackException("inference-service did not load " + m + " within " + s.startTimeout + "s",
                            "See " + run.log("inference-service"));
                }
                Thread.sleep(500);
            }
        }
    }

    /** The three things a newcomer tries next, each with a real example. */
    private void printThingsToTry() {
        String model = models.contains("lenet") ? "lenet" : models.get(0);
        System.out.println("Three things to try:");
        System.out.println("  1. Open one explained prediction (its LIME and SHAP maps over the image):");
        System.out.println("       " + (explainedPage != null ? explainedPage : s.explainerUrl() + "/"));
        System.out.println("  2. Classify a photo of your own (any PNG or JPEG) through Kafka, with its explanations:");
        System.out.println("       ./fmnist score " + run.dir.resolve("examples").resolve(Examples.PHOTO)
                + (models.equals(MODELS) ? "" : " --models " + String.join(",", models)));
        System.out.println("  3. Call the Open Inference Protocol endpoint (the request: one 28x28 test image):");
        System.out.println("       curl -s -H 'Content-Type: application/json' -d @" + run.dir.resolve("examples").resolve(Examples.OIP_REQUEST)
                + " \\");
        System.out.println("         " + s.serviceUrl("inference-service", "/v2/models/" + model + "/infer"));
        System.out.println();
    }

    private void printUrls(String datasource) {
        System.out.println();
        System.out.println("  Kafka        " + s.bootstrap());
        System.out.println("  PostgreSQL   " + datasource);
        for (String svc : s.services) {
            System.out.printf("  %-18s http://127.0.0.1:%s/q/health   /q/metrics   /q/openapi%n", svc, s.servicePort(svc));
        }
        if (s.services.contains("inference-service")) {
            System.out.println("  OIP gRPC     127.0.0.1:" + s.inferenceGrpcPort() + " (inference.GRPCInferenceService)");
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
