package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.launcher.PidFile;
import dev.fmnist.launcher.ServiceProcess;
import dev.fmnist.tools.report.BenchmarkReportCommand;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./fmnist benchmark}: every performance figure of the issues in one run, on a database ({@code fmnist_benchmark},
 * dropped and created again) and a broker (data in the run directory) of its own. The fmnist script builds first
 * (step 1: services, tools, benchmarks and their classpaths); this command does steps 2 to 8 with the heavy lock held:
 * broker and trainer, short trainings over REST, JMH and the explanation cost (child JVMs of module benchmarks),
 * inference-service under the load generator per model, explainer-service under a stream (child JVMs of the tools),
 * services.tsv, then the report (results/benchmarks.md and .json). Every start and resident memory is measured per service.
 */
@Command(name = "benchmark", description = "Every performance figure of the issues in one run, on a database and broker of its own.")
public final class BenchmarkCommand implements Callable<Integer> {
    static final String DATABASE = "fmnist_benchmark";
    static final String EXPLAINER_GROUP = "explainer-service";

    @Option(names = "--quick", description = "fewer iterations and images (figures noisier)")
    boolean quick;

    @Option(names = "--full-training", description = "also run the full training first (trainer benchmark) to refresh results/training.md")
    boolean fullTraining;

    @Option(names = "--preflight", hidden = true, description = "only check the options, that no stack runs and that the ports are free (run by fmnist before its build)")
    boolean preflight;

    private StackSettings s;
    private long t0;
    private volatile RunDirectory run;
    private volatile boolean exitingOnOurOwn;
    private volatile Process child;
    private Path benchDir;
    private String datasource;
    private final Map<String, String> serviceEnv = new HashMap<>();
    private final Map<String, String> startupSeconds = new HashMap<>();
    private final Map<String, Long> rssRest = new HashMap<>();
    private final Map<String, Long> rssLoad = new HashMap<>();
    private final Map<String, String> loadWhat = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        s = StackSettings.fromEnvironment();
        // the script's build step ran before this JVM: its start (FMNIST_BENCHMARK_T0, epoch seconds) counts
        long started = number(s.env.get("FMNIST_BENCHMARK_T0"), System.currentTimeMillis() / 1000);
        t0 = System.nanoTime() - Duration.ofSeconds(Math.max(0, System.currentTimeMillis() / 1000 - started)).toNanos();
        UpCommand.checkNotRunning(s);
        StackSteps.checkPortsFree(s, StackSettings.ALL_SERVICES);
        if (preflight) {
            return 0;
        }
        s.pgDatabase = DATABASE;
        datasource = Database.prepare(s, true);
        run = StackSteps.newRunDirectory(s);
        run.pidFile("up").write(ProcessHandle.current().pid());
        benchDir = Files.createDirectories(run.dir.resolve("benchmark"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopEverything, "fmnist-stop"));
        try (HeavyLock lock = HeavyLock.take(s.env.get("FMNIST_LOCK"))) { // held to the end: figures are worthless while another heavy job runs
            t0 += lock.waitedSeconds * 1_000_000_000L;
            say("benchmark: run directory " + run + (quick ? " (--quick)" : ""));
            benchmark();
            return 0;
        } catch (StackException e) {
            exitingOnOurOwn = true;
            throw e;
        } finally {
            exitingOnOurOwn = true;
        }
    }

    private void benchmark() throws Exception {
        // The settings of each step: full, and --quick (a smoke run of the whole chain; noisier figures).
        List<String> jmhArgs = quick ? List.of("-wi", "1", "-w", "1s", "-i", "2", "-r", "1s")
                : List.of("-wi", "3", "-w", "2s", "-i", "5", "-r", "3s");
        List<String> loadArgs = quick ? List.of("--images", "20000", "--warm-up", "2000", "--http-requests", "1000")
                : List.of("--images", "100000", "--warm-up", "20000", "--http-requests", "5000");
        int explainImages = quick ? 5 : 20;
        int streamImages = quick ? 500 : 2000;
        int streamExplain = quick ? 10 : 50;
        Map<String, String> training = quick
                ? Map.of("lenet", "{\"model\":\"lenet\",\"epochs\":1,\"limit\":20000}",
                        "cnn", "{\"model\":\"cnn\",\"epochs\":1,\"limit\":10000}",
                        "xgboost", "{\"model\":\"xgboost\",\"epochs\":15,\"limit\":4000}",
                        "forest", "{\"model\":\"forest\",\"epochs\":10,\"limit\":4000}")
                : Map.of("lenet", "{\"model\":\"lenet\",\"epochs\":3}",
                        "cnn", "{\"model\":\"cnn\",\"epochs\":2}",
                        "xgboost", "{\"model\":\"xgboost\",\"epochs\":60,\"limit\":10000}",
                        "forest", "{\"model\":\"forest\",\"epochs\":30,\"limit\":4000}");
        String benchmarksClasspath = benchmarksClasspath();

        Path dataDir = run.dir.resolve("kafka-data");
        say("[2/8] Kafka (new, in " + dataDir + ") and trainer-service");
        KafkaBrokerProcess broker = StackSteps.startKafka(s, run, dataDir, this::seconds);
        serviceEnv.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        serviceEnv.put("QUARKUS_DATASOURCE_JDBC_URL", datasource);
        serviceEnv.put("TRAINER_ADMIN_TOKEN", "benchmark-" + ProcessHandle.current().pid() + "-"
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        serviceEnv.put("TRAINER_OUTPUT_DIR", s.root.resolve(run.dir).resolve("models").toString());
        startTimed("trainer-service");

        if (fullTraining) {
            say("[2/8] full training (trainer benchmark, about 35 minutes on 2 cores) -> results/training.md");
            StackSteps.runTrainer(s, serviceEnv, "3g", run.dir.resolve("train-full.out"),
                    s.root.resolve(run.dir).resolve("train-full.log"), Duration.ofHours(4), "the full training failed",
                    List.of("benchmark", "--out", "results"));
        }

        say("[3/8] training, short runs on the trainer service (seconds per epoch, images/s, XGBoost fit)");
        RssSampler sampler = RssSampler.start(pid("trainer-service"), benchDir.resolve("trainer-service.peak-rss"));
        for (String model : UpCommand.MODELS) {
            trainViaApi(model, training.get(model));
        }
        rssLoad.put("trainer-service", sampler.stop());
        loadWhat.put("trainer-service", "training lenet, cnn, xgboost");

        say("[4/8] raw model throughput (JMH: ONNX Runtime lenet, cnn; XGBoost4J; batch 1 and 256)");
        List<String> jmh = new ArrayList<>(List.of("org.openjdk.jmh.Main", "ScoringBenchmark"));
        jmh.addAll(jmhArgs);
        jmh.addAll(List.of("-f", "1", "-jvmArgsAppend", "-Xmx1g -Dfmnist.benchmark.registry-url=" + datasource,
                "-rf", "json", "-rff", benchDir.resolve("jmh.json").toString()));
        if (benchmarkJava(benchmarksClasspath, jmh) != 0) {
            throw new StackException("JMH failed (output above)");
        }

        say("[5/8] explanation cost (default budgets, one thread)");
        if (benchmarkJava(benchmarksClasspath, List.of("dev.fmnist.benchmarks.ExplanationCost",
                Integer.toString(explainImages), benchDir.resolve("explanations.json").toString())) != 0) {
            throw new StackException("the explanation cost measurement failed (output above)");
        }
        say("[5/8] KernelSHAP accuracy against exact Shapley values, LIME R^2 (ShapleyAccuracy)");
        // the references dominate and images are independent: one image per core (its ms are not the cost figures, step 5's first part)
        List<String> shapley = new ArrayList<>(List.of("dev.fmnist.benchmarks.ShapleyAccuracy", "--images", quick ? "20" : "100",
                "--parallel", Integer.toString(Runtime.getRuntime().availableProcessors()), "--json", benchDir.resolve("shapley.json").toString(), "--md", benchDir.resolve("shapley.md").toString()));
        // each model's default budget as the explainer serves it
        budgetFactors(EXPLAINER_PROPERTIES).forEach((model, factor) -> shapley.addAll(List.of("--budget-factor", model + "=" + factor)));
        if (benchmarkJava(benchmarksClasspath, shapley) != 0) {
            throw new StackException("the KernelSHAP accuracy measurement failed (output above)");
        }

        say("[6/8] inference-service: start-up, then end-to-end Kafka and OIP HTTP load per model (explainer not running)");
        startTimed("inference-service");
        sampler = RssSampler.start(pid("inference-service"), benchDir.resolve("inference-service.peak-rss"));
        List<String> target = List.of("--bootstrap", broker.bootstrapServers(), "--http", s.serviceUrl("inference-service", ""),
                "--grpc", "127.0.0.1:" + s.inferenceGrpcPort(),
                "--jdbc-url", datasource, "--db-user", s.env.getOrDefault("QUARKUS_DATASOURCE_USERNAME", "postgres"));
        Map<String, String> dbPassword = Map.of("FMNIST_DB_PASSWORD", s.env.getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""));
        // One pass that is not measured, as perf_analyzer measures a server once warm: in the first load after a start
        // the service's and the broker's C2 compilers took up to 5.5 s of a core, and the first model measured (lenet)
        // carried it alone: a half-load stall of 370 ms in that run, p99 84 and 45 ms in the next two (benchmarks/NOTES.md,
        // "Where the half-load latency goes")
        say("  warm-up pass, not measured: lenet, JSON and Protobuf, Kafka only");
        List<String> warmUpPass = new ArrayList<>(List.of("load", "--model", "lenet", "--format", "both", "--images",
                quick ? "10000" : "50000", "--http-requests", "0", "--binary-batches", "0"));
        warmUpPass.addAll(target);
        toolsJava("3g", warmUpPass, dbPassword);
        for (String model : UpCommand.MODELS) {
            say("  load: " + model);
            // JSON's phases, then a Protobuf full-load phase beside them (results/benchmarks.md)
            List<String> args = new ArrayList<>(List.of("load", "--model", model, "--format", "both"));
            args.addAll(loadArgs);
            args.addAll(target);
            args.addAll(List.of("--json", benchDir.resolve("load-" + model + ".json").toString()));
            if (toolsJava("3g", args, dbPassword) != 0) {
                say("  load " + model + " reported lost predictions or failed calls (see above)");
            }
        }
        say("  record sizes and compression, JSON and Protobuf (no broker)");
        if (toolsJava("1g", List.of("compression", "--json", benchDir.resolve("compression.json").toString()),
                Map.of()) != 0) {
            say("  the compression measurement failed (see above)");
        }
        rssLoad.put("inference-service", sampler.stop());
        loadWhat.put("inference-service", "the load generator, lenet, cnn, xgboost");

        say("[7/8] explainer-service: start-up, then a stream of " + streamImages + " images (" + streamExplain
                + " asking for explanations)");
        // The load runs' predictions (hundreds of thousands) are not the explainer's work here: its group starts at the end.
        moveExplainerGroupToEnd(broker.bootstrapServers());
        startTimed("explainer-service");
        sampler = RssSampler.start(pid("explainer-service"), benchDir.resolve("explainer-service.peak-rss"));
        if (toolsJava("1g", List.of("stream", "--images", Integer.toString(streamImages), "--explain",
                Integer.toString(streamExplain), "--bootstrap", broker.bootstrapServers(), "--explainer-url",
                s.explainerUrl()), Map.of()) != 0) {
            say("  the stream did not complete");
        }
        rssLoad.put("explainer-service", sampler.stop());
        loadWhat.put("explainer-service", "explaining a stream of " + streamImages + " images, " + streamExplain + " requested");

        StringBuilder tsv = new StringBuilder("# service\tstartup_s\trss_rest_kib\trss_load_peak_kib\tload\n");
        for (String svc : StackSettings.ALL_SERVICES) {
            tsv.append(String.join("\t", svc, startupSeconds.get(svc), rssRest.get(svc).toString(),
                    rssLoad.get(svc).toString(), loadWhat.get(svc))).append('\n');
        }
        Files.writeString(benchDir.resolve("services.tsv"), tsv);

        say("[8/8] stopping the stack, writing results/benchmarks.md and .json");
        run.stopAll(StackSettings.ALL_SERVICES);
        String command = "./fmnist benchmark" + (quick ? " --quick" : "");
        int rc = new CommandLine(new BenchmarkReportCommand()).execute("--dir", benchDir.toString(), "--out", "results",
                "--notes", "benchmarks/NOTES.md", "--mode", quick ? "quick" : "full",
                "--wall-seconds", Long.toString(seconds()), "--command", command);
        if (rc != 0) {
            throw new StackException("writing the report failed");
        }
        say("benchmark done in " + seconds() + " s: results/benchmarks.md (pieces in " + benchDir + ")");
    }

    /** The shutdown hook: the end of the run, an error, Ctrl-C or SIGTERM ('./fmnist down'). */
    private void stopEverything() {
        RunDirectory r = run;
        if (r == null) {
            return;
        }
        if (!exitingOnOurOwn) {
            System.out.println();
            say("stopping");
        }
        Process c = child;
        if (c != null && c.isAlive()) {
            c.destroy();
        }
        r.stopAll(StackSettings.ALL_SERVICES);
        r.pidFile("up").delete();
    }

    // ---- checks and the run directory ----

    /** The explainer's configuration, where the per-model KernelSHAP budget factors are set. */
    static final Path EXPLAINER_PROPERTIES = Path.of("explainer-service", "src", "main", "resources", "application.properties");

    /**
     * {@code explainer.kernel-shap.budget-factor.<model>} of the explainer's configuration (no profile), by model: the
     * KernelSHAP budget the service spends on that model, as a multiple of the base one.
     */
    static Map<String, String> budgetFactors(Path properties) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader in = Files.newBufferedReader(properties)) {
            p.load(in);
        }
        String prefix = "explainer.kernel-shap.budget-factor.";
        Map<String, String> out = new java.util.TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                out.put(key.substring(prefix.length()), p.getProperty(key).trim());
            }
        }
        return out;
    }

    private String benchmarksClasspath() throws IOException {
        Path file = Path.of("benchmarks/target/classpath.txt");
        if (!Files.isRegularFile(file) || !Files.isDirectory(Path.of("benchmarks/target/classes"))) {
            throw new StackException("module benchmarks is not built (" + file + " is missing)",
                    "Run the benchmark through './fmnist benchmark': it builds the services, the tools and the benchmarks.");
        }
        return "benchmarks/target/classes:" + Files.readString(file).trim();
    }

    // ---- Kafka ----

    /** The explainer's consumer group at the end of fmnist.predictions (what ConsumerGroupCommand --reset-offsets --to-latest does). */
    private void moveExplainerGroupToEnd(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000"))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(Topics.PREDICTIONS)).allTopicNames().get().get(Topics.PREDICTIONS).partitions()
                    .forEach(p -> latest.put(new TopicPartition(Topics.PREDICTIONS, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(EXPLAINER_GROUP, ends).all().get();
        } catch (Exception e) {
            throw new StackException("could not move the explainer's consumer group to the end of " + Topics.PREDICTIONS
                    + ": " + e.getMessage());
        }
    }

    // ---- services ----

    /** Starts one service alone and times JVM start to /q/health/ready 200; then its memory after 5 s at rest. */
    private void startTimed(String svc) throws Exception {
        int port = s.servicePort(svc);
        Map<String, String> env = StackSteps.serviceEnv(s, svc, serviceEnv);
        List<String> jvm = StackSteps.serviceJvm(s, svc);
        String ready = s.serviceUrl(svc, "/q/health/ready");
        long start = System.nanoTime();
        say(svc + ": starting on port " + port + " (log: " + run.log(svc) + ")");
        ServiceProcess p = ServiceProcess.start(svc, env, s.root,
                new ServiceProcess.Options().port(port).grpcPort(s.inferenceGrpcPort()).jvmOptions(jvm).log(run.log(svc))
                        .detached(true));
        PidFile pid = run.pidFile(svc);
        pid.write(p.pid());
        long deadline = start + Duration.ofSeconds(s.startTimeout).toNanos();
        while (ServiceProcess.status(ready) != 200) {
            if (pid.live().isEmpty()) {
                throw new StackException(svc + " exited during start-up", "See " + run.log(svc),
                        "Last lines:\n" + StackSteps.tail(run.log(svc), 8));
            }
            if (System.nanoTime() > deadline) {
                throw new StackException(svc + " not ready within " + s.startTimeout + "s", "See " + run.log(svc));
            }
            Thread.sleep(100);
        }
        long startupMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        Thread.sleep(5000);
        startupSeconds.put(svc, String.format(Locale.ROOT, "%.2f", startupMs / 1000.0));
        rssRest.put(svc, RssSampler.rssKib(p.pid()));
        say(svc + ": ready after " + startupSeconds.get(svc) + " s; resident memory at rest " + rssRest.get(svc) / 1024 + " MiB");
    }

    private long pid(String svc) {
        return run.pidFile(svc).live().map(ProcessHandle::pid)
                .orElseThrow(() -> new StackException(svc + " is not running", "See " + run.log(svc)));
    }

    /** One training on the running trainer (POST /trainings); keeps the job's final status and the registered version's details. */
    private void trainViaApi(String model, String body) throws Exception {
        String base = s.serviceUrl("trainer-service", "");
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> posted = StackSteps.postJson(base + "/trainings", body, serviceEnv.get("TRAINER_ADMIN_TOKEN"));
        String id = readTree(json, posted.body()).path("id").asText("");
        if (id.isEmpty()) {
            throw new StackException("the trainer refused the training of " + model + ": " + posted.statusCode() + " " + posted.body());
        }
        long last = 0;
        String status;
        JsonNode job;
        while (true) {
            status = StackSteps.get(base + "/trainings/" + id);
            job = readTree(json, status);
            String state = job.path("state").asText("");
            if (state.equals("SUCCEEDED")) {
                break;
            }
            if (state.equals("FAILED")) {
                throw new StackException("training " + model + " failed: " + job.path("error").asText(""));
            }
            if (System.nanoTime() - last >= Duration.ofSeconds(15).toNanos()) {
                last = System.nanoTime();
                say("  " + model + ": " + job.path("stage").asText(""));
            }
            Thread.sleep(1000);
        }
        Files.writeString(benchDir.resolve("training-job-" + model + ".json"), status);
        String version = "";
        for (JsonNode r : job.path("registered")) {
            if (model.equals(r.path("name").asText())) {
                version = r.path("version").asText("");
                break;
            }
        }
        if (version.isEmpty()) {
            throw new StackException("training " + model + " succeeded but registered no version: " + status);
        }
        Files.writeString(benchDir.resolve("training-model-" + model + ".json"), StackSteps.get(base + "/models/" + model + "/" + version));
        say("  " + model + ": version " + version + " registered");
    }

    private static JsonNode readTree(ObjectMapper json, String text) {
        try {
            return json.readTree(text == null || text.isBlank() ? "{}" : text);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    // ---- child JVMs: the benchmarks module (JMH, explanation cost) and the tools (load, stream) ----

    /**
     * A JVM of module benchmarks, with the collector the services run with ({@link StackSteps#serviceJvm}): under G1,
     * the default on this machine, the explanations' own work (drawing coalitions, the regressions) took 2 to 3 times
     * as long as under SerialGC, which is not what the explainer pays.
     */
    private int benchmarkJava(String classpath, List<String> mainAndArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServiceProcess.javaBinary(), "-Xmx1g", "-XX:+UseSerialGC",
                "-Dfmnist.benchmark.registry-url=" + datasource, "-cp", classpath));
        command.addAll(mainAndArgs);
        return runChild(command, Map.of());
    }

    private int toolsJava(String heap, List<String> args, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServiceProcess.javaBinary(), "-Xms256m", "-Xmx" + heap,
                "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), "dev.fmnist.tools.ToolsMain"));
        command.addAll(args);
        return runChild(command, env);
    }

    /** A child JVM with this terminal's output; a Ctrl-C reaches it too, a SIGTERM to this JVM ends it (the shutdown hook). */
    private int runChild(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO()
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        System.out.flush();
        Process p = pb.start();
        child = p;
        try {
            return p.waitFor();
        } finally {
            child = null;
        }
    }

    // ---- small helpers ----

    private long seconds() {
        return Duration.ofNanos(System.nanoTime() - t0).toSeconds();
    }

    private static long number(String text, long fallback) {
        try {
            return text == null || text.isBlank() ? fallback : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The peak resident memory (VmRSS of /proc/PID/status, KiB) of a process, sampled every half second until stopped. */
    static final class RssSampler {
        private final Thread thread;
        private final Path file;
        private volatile boolean stopped;
        private volatile long peak;

        private RssSampler(long pid, Path file) {
            this.file = file;
            this.thread = new Thread(() -> {
                while (!stopped && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    peak = Math.max(peak, rssKib(pid));
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-" + pid);
            thread.setDaemon(true);
        }

        static RssSampler start(long pid, Path file) {
            RssSampler sampler = new RssSampler(pid, file);
            sampler.thread.start();
            return sampler;
        }

        /** Stops sampling; returns the peak (KiB) and writes it to the sampler's file. */
        long stop() throws Exception {
            stopped = true;
            thread.interrupt();
            thread.join();
            Files.writeString(file, peak + "\n");
            return peak;
        }

        static long rssKib(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // gone: nothing resident
            }
            return 0;
        }
    }
}
