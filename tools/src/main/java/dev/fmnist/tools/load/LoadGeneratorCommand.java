package dev.fmnist.tools.load;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.WireFormat;
import dev.fmnist.common.kafka.KafkaClientSettings;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import dev.fmnist.tools.KafkaOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The load generator of the inference issue: pushes the test images through the running stack
 * (real broker, inference-service) and prints one table with the raw in-process throughput of the
 * model, the end-to-end throughput, and end-to-end latency at full and at half load.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures end-to-end Kafka scoring of the running stack (start it with './fmnist up').")
public final class LoadGeneratorCommand implements Callable<Integer> {
    /** Seconds at the half-load rate before that phase is measured. */
    static final int HALF_LOAD_WARM_UP_SECONDS = 5;
    /** Calls per warm-up window of the single-image OIP phases ({@link WarmUp}). */
    static final int WARM_UP_WINDOW = 1000;
    /** Calls per warm-up window of the binary-tensor phase (calls of --batch images each). */
    static final int BINARY_WARM_UP_WINDOW = 100;

    @Option(names = "--model", defaultValue = "lenet", description = "model to score: lenet, cnn or xgboost (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--images", defaultValue = "100000", description = "requests at full load; the 10,000 test images, repeated (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--half-load-images", description = "requests at half load (default: half of --images)")
    Integer halfLoadImages;

    @Option(names = "--warm-up", defaultValue = "20000", description = "requests per warm-up window, sent first and not measured: windows until this client's JIT compilers settle, at most 10 (default ${DEFAULT-VALUE}); with 0, no warm-up at the half-load rate either (5 s otherwise)")
    int warmUp;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--http", defaultValue = "http://127.0.0.1:8082", description = "inference-service base URL, for the OIP phases (default ${DEFAULT-VALUE})")
    String http;

    @Option(names = "--http-requests", defaultValue = "5000", description = "single-image OIP calls per HTTP phase, 0 = no HTTP phases (default ${DEFAULT-VALUE})")
    int httpRequests;

    @Option(names = "--grpc", description = "inference-service gRPC host:port: a phase of --http-requests single-image OIP gRPC calls, 1 client (default: none)")
    String grpc;

    @Option(names = "--binary-batches", defaultValue = "300", description = "OIP HTTP calls with binary tensor data "
            + "(Triton's and KServe's default encoding) of --batch images each, 1 client, after a warm-up until their p50 "
            + "settles, 0 = none (default ${DEFAULT-VALUE})")
    int binaryBatches;

    @Option(names = "--http-concurrency", defaultValue = "4", description = "clients of the concurrent HTTP phase (default ${DEFAULT-VALUE})")
    int httpConcurrency;

    @Option(names = "--jdbc-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/fmnist", description = "registry database, for the raw throughput (default ${DEFAULT-VALUE})")
    String jdbcUrl;

    @Option(names = "--db-user", defaultValue = "postgres", description = "database user (default ${DEFAULT-VALUE})")
    String dbUser;

    @Option(names = "--threads", defaultValue = "0", description = "native threads of the raw measurement, 0 = all CPUs (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--batch", defaultValue = "256", description = "batch of the raw measurement and of the binary-tensor OIP calls (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--idle-timeout", defaultValue = "30", description = "seconds without a new prediction before a phase gives up (default ${DEFAULT-VALUE})")
    int idleTimeoutSeconds;

    @Option(names = "--format", defaultValue = "json", description = "encoding of the requests: json, protobuf "
            + "(fmnist.v1.ScoreRequest, content-type application/x-protobuf), or both (the JSON phases, then a "
            + "Protobuf full-load phase beside them) (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--compression", description = "compression.type of the generator's producer (fmnist.images): "
            + "none, lz4, zstd, gzip or snappy (default: the kafka.* settings', else none)")
    String compression;

    @Option(names = "--json", description = "also write the figures to this JSON file")
    Path json;

    @Option(names = "--latencies", paramLabel = "DIR", description = "also write each Kafka phase's per-record send times "
            + "and latencies to a file of its own in DIR, to tell a stall from spread-out pauses")
    Path latencies;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (images < 1 || warmUp < 0 || batch < 1 || threads < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--images and --batch must be >= 1, --warm-up and --threads >= 0");
        }
        int halfImages = halfLoadImages == null ? Math.max(1, images / 2) : halfLoadImages;
        LabelledImages test = FashionMnist.load().test();

        StoredModel stored = latestModel();
        out.printf(Locale.ROOT, "model %s version %d (%s); %,d test images cycled%n", stored.name(), stored.version(),
                stored.format(), test.size());
        double raw;
        ScorerOptions options = new ScorerOptions(ExecutionProvider.CPU, threads, batch);
        try (ModelScorer scorer = ModelScorers.open(stored, options)) {
            out.printf(Locale.ROOT, "raw in-process throughput, batch %d, %d threads...%n", batch,
                    options.effectiveThreads());
            raw = RawThroughput.imagesPerSecond(scorer, test, batch, 5);
        }

        boolean both = "both".equalsIgnoreCase(format);
        WireFormat first = both ? WireFormat.JSON : WireFormat.parse(format);
        KafkaClientSettings settings = kafka.settings();
        if (compression != null) {
            Map<String, Object> withCompression = new LinkedHashMap<>(settings.shared());
            withCompression.put("compression.type", compression);
            settings = KafkaClientSettings.of(withCompression);
        }
        KafkaLoadRun runner = new KafkaLoadRun(settings, Duration.ofSeconds(idleTimeoutSeconds), latencies);
        String run = "lg-" + Instant.now().toEpochMilli() + "-";
        if (warmUp > 0) {
            out.printf(Locale.ROOT, "warm-up: windows of %,d requests until this client's JIT settles (at most %d)%n",
                    warmUp, WarmUp.MAX_WINDOWS);
            out.println(WarmUp.untilCompiled(k -> {
                String prefix = run + "w" + k + "-";
                check(runner.run("warm-up", prefix, KafkaLoadRun.requests(prefix, test, warmUp, model, first), first, 0,
                        progress("warm-up " + (k + 1), warmUp)));
            }, WarmUp.MAX_WINDOWS, WarmUp::jitMillis, () -> System.nanoTime() / 1_000_000).describe(warmUp));
        }
        byte[][] full = KafkaLoadRun.requests(run + "f-", test, images, model, first);
        KafkaLoadRun.Result fullLoad = check(runner.run("full load", run + "f-", full, first, 0,
                progress("full load", images)));
        full = null; // free the serialised requests before the next phase
        double halfRate = fullLoad.imagesPerSecond() / 2;
        if (warmUp > 0) {
            // Steady state at the new rate, as perf_analyzer measures each rate once it is stable: in the first seconds
            // at half load the JIT compilers of this client, the service and the broker took a core between them (the
            // paced path and smaller batches are new code to them), and on 2 cores a cold run's first 2-3 s had p50s of
            // 100-240 ms that settled to 40-60 ms (benchmarks/NOTES.md, "Heap of inference-service")
            int n = (int) Math.ceil(halfRate * HALF_LOAD_WARM_UP_SECONDS);
            KafkaLoadRun.Result warm = check(runner.run("half-load warm-up", run + "hw-",
                    KafkaLoadRun.requests(run + "hw-", test, n, model, first), first, halfRate,
                    progress("half-load warm-up", n)));
            out.printf(Locale.ROOT, "half-load warm-up: %,d requests in %.0f s at %,.0f/s, not measured (p99 %.1f ms)%n",
                    n, warm.seconds(), halfRate, warm.latency().p99Ms());
        }
        byte[][] half = KafkaLoadRun.requests(run + "h-", test, halfImages, model, first);
        KafkaLoadRun.Result halfLoad = check(runner.run("half load", run + "h-", half, first, halfRate,
                progress("half load", halfImages)));
        half = null;
        List<KafkaLoadRun.Result> phases = new java.util.ArrayList<>(List.of(fullLoad, halfLoad));
        if (both) {
            // the same load in Protobuf, beside the JSON figures: same images, same service, same run
            byte[][] proto = KafkaLoadRun.requests(run + "p-", test, images, model, WireFormat.PROTOBUF);
            phases.add(check(runner.run("full load", run + "p-", proto, WireFormat.PROTOBUF, 0,
                    progress("full load, protobuf", images))));
        }

        List<OipHttpRun.Result> httpResults = new java.util.ArrayList<>();
        if (httpRequests > 0) {
            OipHttpRun oip = new OipHttpRun(http, model);
            String[] bodies = OipHttpRun.bodies(test, httpRequests);
            oip.probe(bodies[0]);
            out.printf(Locale.ROOT, "OIP HTTP: %,d single-image calls, 1 client, then %d clients%n", httpRequests,
                    httpConcurrency);
            String[] window = java.util.Arrays.copyOf(bodies, Math.min(bodies.length, WARM_UP_WINDOW));
            out.println(WarmUp.untilStable(k -> {
                try {
                    return oip.run("warm-up", window, 1);
                } catch (Exception e) {
                    throw new IllegalStateException("the OIP HTTP warm-up failed: " + e.getMessage(), e);
                }
            }, WarmUp.MAX_WINDOWS).describe(window.length));
            httpResults.add(oip.run("1 client", bodies, 1));
            httpResults.add(oip.run(httpConcurrency + " clients", bodies, httpConcurrency));
        }
        List<OipHttpRun.BinaryResult> binaryResults = new java.util.ArrayList<>();
        if (binaryBatches > 0) {
            OipHttpRun oip = new OipHttpRun(http, model);
            int[] heads = new int[binaryBatches];
            byte[][] bodies = OipHttpRun.binaryBodies(test, batch, binaryBatches, heads);
            out.printf(Locale.ROOT, "OIP HTTP binary tensors: %,d calls of %d images, 1 client%n", binaryBatches, batch);
            int warm = Math.min(binaryBatches, BINARY_WARM_UP_WINDOW);
            byte[][] window = java.util.Arrays.copyOf(bodies, warm);
            out.println(WarmUp.untilStable(k -> {
                try {
                    OipHttpRun.BinaryResult r = oip.runBinary("warm-up", window, heads, batch);
                    if (r.failed() == warm) {
                        throw new IllegalStateException("inference-service refused every binary tensor request at " + http
                                + ": " + r.failures());
                    }
                    return r;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, WarmUp.MAX_WINDOWS).describe(warm));
            binaryResults.add(oip.runBinary("1 client", bodies, heads, batch));
        }

        List<OipHttpRun.Result> grpcResults = new java.util.ArrayList<>();
        if (grpc != null && !grpc.isBlank() && httpRequests > 0) {
            try (OipGrpcRun oip = new OipGrpcRun(grpc)) {
                byte[][] requests = OipGrpcRun.requests(test, model, httpRequests);
                oip.probe(requests[0]);
                out.printf(Locale.ROOT, "OIP gRPC: %,d single-image calls, 1 client%n", httpRequests);
                byte[][] window = java.util.Arrays.copyOf(requests, Math.min(requests.length, WARM_UP_WINDOW));
                out.println(WarmUp.untilStable(k -> {
                    try {
                        return oip.run("warm-up", window);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, WarmUp.MAX_WINDOWS).describe(window.length));
                grpcResults.add(oip.run("1 client", requests));
            }
        }

        printTable(stored, raw, phases, httpResults, grpcResults, binaryResults);
        if (json != null) {
            writeJson(stored, raw, phases, httpResults, grpcResults, binaryResults);
        }
        boolean httpOk = httpResults.stream().allMatch(r -> r.failed() == 0)
                && grpcResults.stream().allMatch(r -> r.failed() == 0)
                && binaryResults.stream().allMatch(r -> r.failed() == 0);
        return phases.stream().allMatch(r -> r.lost() == 0) && httpOk ? 0 : 1;
    }

    private StoredModel latestModel() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl);
        ds.setUser(dbUser);
        String password = System.getenv("FMNIST_DB_PASSWORD");
        if (password != null) {
            ds.setPassword(password);
        }
        return new ModelRegistryReader(ds).latest(model).orElseThrow(() -> new IllegalStateException(
                "the registry at " + jdbcUrl + " has no published version of '" + model
                        + "': train it first (POST /trainings on the trainer, or its 'train' command)"));
    }

    private static KafkaLoadRun.Result check(KafkaLoadRun.Result r) {
        System.out.println();
        if (r.lost() > 0) {
            System.out.printf(Locale.ROOT, "WARNING: %s: %,d of %,d predictions did not arrive%n", r.phase(), r.lost(),
                    r.sent());
        }
        return r;
    }

    private java.util.function.IntConsumer progress(String phase, int total) {
        long start = System.nanoTime();
        long[] lastPrint = {0};
        return done -> {
            long now = System.nanoTime();
            if (now - lastPrint[0] < 1_000_000_000L && done < total) {
                return; // one line a second is enough
            }
            lastPrint[0] = now;
            out.printf(Locale.ROOT, "\r%-10s %,9d / %,d predictions  %5.1f s", phase, done, total, (now - start) / 1e9);
        };
    }

    void printTable(StoredModel stored, double raw, List<KafkaLoadRun.Result> results, List<OipHttpRun.Result> httpResults,
                    List<OipHttpRun.Result> grpcResults, List<OipHttpRun.BinaryResult> binaryResults) {
        out.printf(Locale.ROOT, "%n%s v%d, %d CPUs%n", stored.name(), stored.version(),
                Runtime.getRuntime().availableProcessors());
        out.println("| measurement | images | images/s | p50 ms | p95 ms | p99 ms | max ms | lost | duplicates "
                + "| request bytes | compressed/raw |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        out.printf(Locale.ROOT, "| raw in-process, batch %d | | %,.0f | | | | | | | | |%n", batch, raw);
        for (KafkaLoadRun.Result r : results) {
            String label = r.targetRate() > 0
                    ? String.format(Locale.ROOT, "end-to-end %s, %s (%,.0f/s offered)", r.format(), r.phase(),
                    r.targetRate())
                    : "end-to-end " + r.format() + ", " + r.phase();
            LatencyStats l = r.latency();
            out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %.1f | %.1f | %.1f | %.1f | %d | %d | %,.0f | %.2f |%n", label,
                    r.sent(), r.imagesPerSecond(), l.p50Ms(), l.p95Ms(), l.p99Ms(), l.maxMs(), r.lost(), r.duplicates(),
                    r.recordBytes(), r.compressionRate());
        }
        for (OipHttpRun.Result r : httpResults) {
            LatencyStats l = r.latency();
            out.printf(Locale.ROOT, "| OIP HTTP infer, 1 image per call, %s | %,d | %,.0f | %.2f | %.2f | %.2f | %.1f | %d failed | | | |%n",
                    r.phase(), r.requests(), r.requestsPerSecond(), l.p50Ms(), l.p95Ms(), l.p99Ms(), l.maxMs(), r.failed());
        }
        for (OipHttpRun.Result r : grpcResults) {
            LatencyStats l = r.latency();
            out.printf(Locale.ROOT, "| OIP gRPC infer, 1 image per call, %s | %,d | %,.0f | %.2f | %.2f | %.2f | %.1f | %d failed | | | |%n",
                    r.phase(), r.requests(), r.requestsPerSecond(), l.p50Ms(), l.p95Ms(), l.p99Ms(), l.maxMs(), r.failed());
        }
        for (OipHttpRun.BinaryResult r : binaryResults) {
            LatencyStats l = r.latency();
            out.printf(Locale.ROOT, "| OIP HTTP binary tensors, %d images per call, %s | %,d | %,.0f | %.2f | %.2f | %.2f | %.1f | %d failed | | | |%n",
                    r.batch(), r.phase(), r.batches() * r.batch(), r.imagesPerSecond(), l.p50Ms(), l.p95Ms(), l.p99Ms(),
                    l.maxMs(), r.failed());
        }
        // why calls failed, so that a failed call in a benchmark can be followed up
        for (OipHttpRun.Result r : httpResults) {
            printFailures("OIP HTTP, " + r.phase(), r.failures());
        }
        for (OipHttpRun.Result r : grpcResults) {
            printFailures("OIP gRPC, " + r.phase(), r.failures());
        }
        for (OipHttpRun.BinaryResult r : binaryResults) {
            printFailures("OIP HTTP binary tensors, " + r.phase(), r.failures());
        }
        // where the tail builds up: before the prediction was handed to the service's producer, or after
        for (KafkaLoadRun.Result r : results) {
            if (r.split() != null && r.split().toAnswer().count() > 0) {
                LatencyStats a = r.split().toAnswer();
                LatencyStats d = r.split().delivery();
                out.printf(Locale.ROOT, "split of end-to-end %s, %s at the prediction's timestamp: send to it p50 %.1f / "
                                + "p99 %.1f / max %.1f ms, from it to this reader p50 %.1f / p99 %.1f / max %.1f ms%n",
                        r.format(), r.phase(), a.p50Ms(), a.p99Ms(), a.maxMs(), d.p50Ms(), d.p99Ms(), d.maxMs());
            }
        }
        out.printf(Locale.ROOT, "end-to-end / raw at full load: %.2f%n", results.get(0).imagesPerSecond() / raw);
        for (OipHttpRun.BinaryResult r : binaryResults) {
            out.printf(Locale.ROOT, "OIP binary tensors at batch %d / raw: %.2f%n", r.batch(), r.imagesPerSecond() / raw);
        }
    }

    private void printFailures(String phase, java.util.Map<String, Integer> failures) {
        failures.forEach((reason, count) -> out.printf(Locale.ROOT, "%s: %,d failed: %s%n", phase, count, reason));
    }

    private void writeJson(StoredModel stored, double raw, List<KafkaLoadRun.Result> results,
                           List<OipHttpRun.Result> httpResults, List<OipHttpRun.Result> grpcResults,
                           List<OipHttpRun.BinaryResult> binaryResults) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", stored.name());
        doc.put("version", stored.version());
        doc.put("cpus", Runtime.getRuntime().availableProcessors());
        doc.put("rawBatch", batch);
        doc.put("rawImagesPerSecond", raw);
        doc.put("phases", results);
        doc.put("http", httpResults);
        doc.put("grpc", grpcResults);
        doc.put("httpBinary", binaryResults);
        doc.put("measuredAt", Instant.now().toString());
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        Files.write(json, Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        out.println("figures written to " + json);
    }
}
