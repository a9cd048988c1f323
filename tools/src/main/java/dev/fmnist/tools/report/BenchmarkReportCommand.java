package dev.fmnist.tools.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fmnist.common.messaging.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Merges the pieces one {@code ./fmnist benchmark} run measured (JMH JSON, the load generator's
 * JSON per model, the explanation cost JSON, the training jobs, start-up and memory of the services)
 * into {@code benchmarks.md} and {@code benchmarks.json}: one table per section, each figure next to
 * its target from the issues, marked met or not, and the worst miss named.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Writes benchmarks.md and benchmarks.json from the pieces of a './fmnist benchmark' run.")
public final class BenchmarkReportCommand implements Callable<Integer> {
    static final String RAW = "Raw model throughput (JMH, in-process, all CPUs)";
    static final String KAFKA = "End-to-end Kafka scoring";
    static final String HTTP = "OIP HTTP (single image per call)";
    static final String WIRE = "Kafka record sizes and compression (JSON and Protobuf, record batches of 256 KiB)";
    static final String GRPC = "OIP gRPC (single image per call, raw UINT8 input)";
    static final String XAI = "Explanations (default budgets, one thread)";
    static final String TRAINING = "Training";
    static final String SERVICES = "Start-up and resident memory";
    static final List<String> MODELS = List.of("lenet", "cnn", "xgboost", "forest");

    @Option(names = "--dir", required = true, description = "folder with the pieces of the run")
    Path dir;

    @Option(names = "--out", defaultValue = "results", description = "folder of benchmarks.md and benchmarks.json (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--training-report", defaultValue = "results/training.md",
            description = "the full training run's report (trainer benchmark), for the accuracy targets (default ${DEFAULT-VALUE})")
    Path trainingReport;

    @Option(names = "--notes", description = "a Markdown file appended as the report's notes (what limited the worst miss)")
    Path notes;

    @Option(names = "--mode", defaultValue = "full", description = "full or quick: written into the report")
    String mode;

    @Option(names = "--wall-seconds", defaultValue = "0", description = "wall time of the whole run")
    double wallSeconds;

    @Option(names = "--command", defaultValue = "./fmnist benchmark", description = "the command that made the run")
    String command;

    private final ObjectMapper mapper = Json.mapper();
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        raw();
        kafkaAndHttp();
        compression();
        explanations();
        shapleyAccuracy();
        training();
        services();
        Map<String, Object> machine = MachineDescription.describe();
        Files.createDirectories(out);
        Path md = out.resolve("benchmarks.md");
        Files.writeString(md, markdown(machine));
        Files.write(out.resolve("benchmarks.json"), mapper.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(json(machine)));
        System.out.println("wrote " + md + " and " + out.resolve("benchmarks.json"));
        missing.forEach(m -> System.out.println("missing piece: " + m));
        return 0;
    }

    // ---- sections ----

    private void raw() throws IOException {
        Optional<JsonNode> jmh = read("jmh.json");
        if (jmh.isEmpty()) {
            return;
        }
        for (JsonNode b : jmh.get()) {
            String model = b.path("params").path("model").asText();
            int batch = b.path("params").path("batch").asInt();
            JsonNode metric = b.path("primaryMetric");
            double imagesPerSecond = metric.path("score").asDouble() * batch;
            double error = metric.path("scoreError").asDouble(Double.NaN) * batch;
            String engine = isTreeModel(model) ? "XGBoost4J" : "ONNX Runtime";
            String spread = Double.isNaN(error) ? null : "+/- " + Figures.format(error)
                    + " (99.9 %, " + b.path("measurementIterations").asInt() + " iterations)";
            Figure f = new Figure(RAW, String.format(Locale.ROOT, "%s `%s`, batch %d", engine, model, batch),
                    imagesPerSecond, "img/s").withNote(joined(spread, measuredModel(model)));
            if (model.equals("cnn") && batch == 256) {
                f = f.withTarget(Target.atLeast(4000, "img/s"));
            }
            figures.add(f);
        }
    }

    /** {@code tools compression}: bytes on the wire and codec speed per topic, encoding and compression type. */
    private void compression() throws IOException {
        Optional<JsonNode> doc = read("compression.json");
        if (doc.isEmpty()) {
            return;
        }
        for (JsonNode r : doc.get().path("results")) {
            String what = "`" + r.path("topic").asText() + "` " + r.path("format").asText() + ", "
                    + r.path("compression").asText();
            figures.add(new Figure(WIRE, what + ": bytes per record", r.path("bytesPerRecord").asDouble(), "bytes"));
            if (!"none".equals(r.path("compression").asText())) {
                figures.add(new Figure(WIRE, what + ": compress, one core", r.path("compressMbPerSecond").asDouble(),
                        "MB/s"));
            }
        }
    }

    private void kafkaAndHttp() throws IOException {
        for (String model : MODELS) {
            Optional<JsonNode> load = read("load-" + model + ".json");
            if (load.isEmpty()) {
                continue;
            }
            JsonNode l = load.get();
            String m = "`" + model + "` v" + l.path("version").asInt();
            double raw = l.path("rawImagesPerSecond").asDouble();
            figures.add(new Figure(KAFKA, m + ": raw in-process, batch " + l.path("rawBatch").asInt()
                    + " (the load generator's own, for the ratio)", raw, "img/s"));
            for (JsonNode phase : l.path("phases")) {
                boolean full = phase.path("targetRate").asDouble() == 0;
                // the Protobuf phase (load --format both) sits beside JSON's; the targets are JSON's
                boolean protobuf = "protobuf".equals(phase.path("format").asText());
                String p = (full ? "full load" : String.format(Locale.ROOT, "half load (%s/s offered)",
                        Figures.format(phase.path("targetRate").asDouble()))) + (protobuf ? ", Protobuf" : "");
                full = full && !protobuf;
                double rate = phase.path("imagesPerSecond").asDouble();
                Figure throughput = new Figure(KAFKA, m + ": " + p + ", throughput", rate, "img/s");
                if (protobuf) {
                    figures.add(throughput);
                    figures.add(new Figure(KAFKA, m + ": " + p + ", end-to-end / raw", rate / raw, ""));
                    figures.add(new Figure(KAFKA, m + ": " + p + ", latency p99",
                            phase.path("latency").path("p99Ms").asDouble(), "ms"));
                    figures.add(new Figure(KAFKA, m + ": " + p + ", request record", phase.path("recordBytes")
                            .asDouble(), "bytes"));
                    continue;
                }
                if (full && model.equals("lenet")) {
                    throughput = throughput.withTarget(Target.atLeast(20000, "img/s"));
                }
                figures.add(throughput);
                if (full) {
                    Figure ratio = new Figure(KAFKA, m + ": end-to-end / raw", rate / raw, "");
                    figures.add(model.equals("cnn") ? ratio.withTarget(Target.atLeast(0.8, "")) : ratio);
                }
                JsonNode lat = phase.path("latency");
                figures.add(new Figure(KAFKA, m + ": " + p + ", latency p50", lat.path("p50Ms").asDouble(), "ms"));
                figures.add(new Figure(KAFKA, m + ": " + p + ", latency p95", lat.path("p95Ms").asDouble(), "ms"));
                Figure p99 = new Figure(KAFKA, m + ": " + p + ", latency p99", lat.path("p99Ms").asDouble(), "ms");
                figures.add(full ? p99 : p99.withTarget(Target.atMost(100, "ms")));
                int lost = phase.path("sent").asInt() - phase.path("received").asInt();
                if (lost > 0) {
                    figures.add(new Figure(KAFKA, m + ": " + p + ", predictions lost", lost, ""));
                }
            }
            for (JsonNode h : l.path("http")) {
                int clients = h.path("concurrency").asInt();
                JsonNode lat = h.path("latency");
                String c = clients == 1 ? "1 client" : clients + " clients";
                if (clients == 1) {
                    figures.add(new Figure(HTTP, m + ": " + c + ", latency p50", lat.path("p50Ms").asDouble(), "ms")
                            .withTarget(Target.atMost(2, "ms")));
                    figures.add(new Figure(HTTP, m + ": " + c + ", latency p99", lat.path("p99Ms").asDouble(), "ms"));
                } else {
                    figures.add(new Figure(HTTP, m + ": " + c + ", throughput", h.path("requestsPerSecond").asDouble(),
                            "req/s"));
                    figures.add(new Figure(HTTP, m + ": " + c + ", latency p50", lat.path("p50Ms").asDouble(), "ms"));
                    figures.add(new Figure(HTTP, m + ": " + c + ", latency p99", lat.path("p99Ms").asDouble(), "ms"));
                }
            }
            for (JsonNode b : l.path("httpBinary")) {
                // the binary tensor data extension at the raw measurement's batch: the served path against raw
                double rate = b.path("imagesPerSecond").asDouble();
                String c = "binary tensors, batch " + b.path("batch").asInt() + ", 1 client";
                figures.add(new Figure(HTTP, m + ": " + c + ", throughput", rate, "img/s"));
                figures.add(new Figure(HTTP, m + ": " + c + ", / raw", rate / raw, "")
                        .withTarget(Target.atLeast(0.5, "")));
                figures.add(new Figure(HTTP, m + ": " + c + ", latency p50", b.path("latency").path("p50Ms").asDouble(),
                        "ms"));
            }
            for (JsonNode g : l.path("grpc")) {
                JsonNode lat = g.path("latency");
                figures.add(new Figure(GRPC, m + ": 1 client, latency p50", lat.path("p50Ms").asDouble(), "ms")
                        .withTarget(Target.atMost(1, "ms")));
                figures.add(new Figure(GRPC, m + ": 1 client, latency p99", lat.path("p99Ms").asDouble(), "ms"));
            }
        }
    }

    private void explanations() throws IOException {
        Optional<JsonNode> doc = read("explanations.json");
        if (doc.isEmpty()) {
            return;
        }
        for (JsonNode c : doc.get().path("methods")) {
            String model = c.path("model").asText();
            String method = c.path("method").asText();
            String m = "`" + model + "` v" + c.path("version").asInt() + " " + method;
            Figure ms = new Figure(XAI, m + ": ms per image", c.path("meanMs").asDouble(), "ms")
                    .withNote(c.path("samples").asInt() + " model evaluations, p50 "
                            + Figures.format(c.path("p50Ms").asDouble()) + " ms");
            if (method.equals("tree_shap")) {
                ms = ms.withTarget(Target.atMost(5, "ms"));
            }
            figures.add(ms);
            if (!method.equals("tree_shap")) {
                figures.add(new Figure(XAI, m + ": overhead over the model calls alone", c.path("overhead").asDouble(),
                        "x").withTarget(Target.atMost(1.3, "x")).withNote("model calls alone "
                        + Figures.format(c.path("modelCallMs").asDouble()) + " ms"));
            }
        }
        JsonNode s = doc.get().path("sustained");
        if (!s.isMissingNode() && !s.isNull()) {
            String m = "`" + s.path("model").asText() + "` v" + s.path("version").asInt() + " LIME + KernelSHAP";
            Figure perImage = new Figure(XAI, m + ": ms per fully explained image", s.path("msPerImage").asDouble(), "ms")
                    .withTarget(Target.atMost(45, "ms"));
            if (s.has("separateMsPerImage")) {
                perImage = perImage.withNote("one set of model calls for both; separately "
                        + Figures.format(s.path("separateMsPerImage").asDouble()) + " ms, the model calls alone "
                        + Figures.format(s.path("modelCallMs").asDouble()) + " ms, same run");
            }
            figures.add(perImage);
            figures.add(new Figure(XAI, m + ": sustained fully explained images, one worker",
                    s.path("imagesPerSecond").asDouble(), "img/s").withTarget(Target.atLeast(10, "img/s")));
        }
    }

    /**
     * {@code ShapleyAccuracy}: KernelSHAP's relative L2 error against reference Shapley values per model and
     * budget (issue 18's target: at most 0.05 at the default budget, as the mean over the images), and LIME's R^2.
     */
    private void shapleyAccuracy() throws IOException {
        Optional<JsonNode> doc = read("shapley.json");
        if (doc.isEmpty()) {
            return;
        }
        int images = doc.get().path("images").asInt();
        Map<String, JsonNode> references = new LinkedHashMap<>();
        for (JsonNode r : doc.get().path("references")) {
            references.put(r.path("model").asText() + "/" + r.path("space").asText(), r);
        }
        for (JsonNode r : doc.get().path("kernelShap")) {
            String model = r.path("model").asText();
            JsonNode ref = references.get(model + "/" + r.path("space").asText());
            double factor = r.path("defaultBudgetFactor").asDouble(1);
            // a model's default budget may be a multiple of the base one (explainer.kernel-shap.budget-factor.<model>)
            String m = "`" + model + "` v" + r.path("version").asInt() + " KernelSHAP, " + r.path("space").asText()
                    + ", " + r.path("budget").asText() + " budget" + (factor == 1 ? ""
                    : " (this model's default is " + (factor == Math.rint(factor) ? Long.toString((long) factor)
                    : Double.toString(factor)) + " times the base)");
            Figure f = new Figure(XAI, m + ": relative L2 error against reference Shapley values, mean over " + images
                    + " images", r.path("meanRelL2").asDouble(), "")
                    .withNote(String.format(Locale.ROOT, "%.0f evaluations; p90 %.3f; ", r.path("meanEvaluations").asDouble(),
                            r.path("p90RelL2").asDouble())
                            + (r.has("ownMeanRelL2") ? String.format(Locale.ROOT, "mean with each reference's noise out %.3f; ",
                            r.path("ownMeanRelL2").asDouble()) : "")
                            + String.format(Locale.ROOT, "RMS %.3f, %.3f with the references' noise out%s; Spearman %.3f",
                            r.path("rmsRelL2").asDouble(), r.path("ownRmsRelL2").asDouble(), ref == null ? ""
                                    : String.format(Locale.ROOT, " (references: %d exact, %d by permutation to a mean "
                                            + "relative SE of %.3f)", ref.path("exact").asInt(), ref.path("permutation").asInt(),
                                    ref.path("meanReferenceRelSe").asDouble()), r.path("meanSpearman").asDouble()));
            if ("default".equals(r.path("budget").asText())) {
                f = f.withTarget(Target.atMost(0.05, ""));
            }
            figures.add(f);
        }
        for (JsonNode r : doc.get().path("lime")) {
            figures.add(new Figure(XAI, "`" + r.path("model").asText() + "` v" + r.path("version").asInt() + " LIME, "
                    + r.path("space").asText() + ": weighted R^2 of the surrogate, mean over " + images + " images",
                    r.path("meanR2").asDouble(), "").withNote(String.format(Locale.ROOT, "p10 %.3f, p50 %.3f, p90 %.3f",
                    r.path("p10R2").asDouble(), r.path("p50R2").asDouble(), r.path("p90R2").asDouble())));
        }
        // faithfulness of the stored maps: deletion area against random orders (lower is more faithful)
        for (JsonNode r : doc.get().path("deletion")) {
            String m = "`" + r.path("model").asText() + "` v" + r.path("version").asInt();
            double random = r.path("randomArea").asDouble();
            for (String method : List.of("kernelShap", "lime")) {
                String name = method.equals("lime") ? "LIME" : "KernelSHAP";
                figures.add(new Figure(XAI, m + " " + name + ": deletion area / random orders' area, mean over " + images
                        + " images", r.path(method + "Ratio").asDouble(), "")
                        .withNote(String.format(Locale.ROOT, "class probability as segments are removed, highest weight "
                                        + "first: area %.3f against %.3f for random orders; below random on %.0f %% of the images",
                                r.path(method + "Area").asDouble(), random, 100 * r.path(method + "BelowRandom").asDouble())));
            }
        }
    }

    private void training() throws IOException {
        for (String model : MODELS) {
            Optional<JsonNode> job = read("training-job-" + model + ".json");
            Optional<JsonNode> detail = read("training-model-" + model + ".json");
            if (job.isEmpty() || detail.isEmpty()) {
                continue;
            }
            JsonNode version = detail.get().path("version");
            JsonNode metrics = version.path("metrics");
            String m = "`" + model + "` v" + version.path("version").asInt() + " (this run, short)";
            double testAccuracy = 100 * detail.get().path("evaluations").path("test").path("accuracy").asDouble(Double.NaN);
            if (isTreeModel(model)) {
                figures.add(new Figure(TRAINING, m + ": final fit", metrics.path("trainSeconds").asDouble(), "s")
                        .withNote(metrics.path("epochsRun").asInt() + " rounds; grid search "
                                + Figures.format(metrics.path("gridSearchSeconds").asDouble()) + " s before it"));
            } else {
                JsonNode epochs = job.get().path("epochs").path(model);
                double seconds = 0;
                double images = 0;
                for (JsonNode e : epochs) {
                    seconds += e.path("seconds").asDouble();
                    images += e.path("seconds").asDouble() * e.path("imagesPerSecond").asDouble();
                }
                int n = epochs.size();
                figures.add(new Figure(TRAINING, m + ": seconds per epoch", n == 0 ? Double.NaN : seconds / n, "s")
                        .withNote(n + " epochs"));
                figures.add(new Figure(TRAINING, m + ": training images/s", seconds == 0 ? Double.NaN : images / seconds,
                        "img/s"));
            }
            figures.add(new Figure(TRAINING, m + ": test accuracy", testAccuracy, "%")
                    .withNote("short settings: not the accuracy target's run"));
        }
        fullTrainingRun();
    }

    /** The accuracy and time targets belong to the full training ({@code trainer benchmark}); its report is read. */
    private void fullTrainingRun() throws IOException {
        if (!Files.exists(trainingReport)) {
            missing.add(trainingReport + " (run the trainer's 'benchmark' command, or './fmnist benchmark --full-training')");
            return;
        }
        String source = "from " + trainingReport.getFileName() + " (trainer benchmark"
                + runDate(Files.readAllLines(trainingReport)) + ")";
        Map<String, Double> accuracyTargets = Map.of("lenet", 91.3, "xgboost", 89.5, "cnn", 93.5, "forest", 87.5);
        for (String line : Files.readAllLines(trainingReport)) {
            String[] cells = line.split("\\|");
            if (cells.length < 11 || !MODELS.contains(cells[1].trim()) || !cells[3].contains("%")) {
                continue;
            }
            String model = cells[1].trim();
            String m = "`" + model + "` v" + cells[2].trim() + " (full run)";
            double accuracy = Double.parseDouble(cells[3].replace("%", "").trim());
            figures.add(new Figure(TRAINING, m + ": test accuracy", accuracy, "%")
                    .withTarget(Target.atLeast(accuracyTargets.get(model), "%")).withNote(source));
            double seconds = Double.parseDouble(cells[9].replace("s", "").trim());
            if (model.equals("xgboost")) {
                figures.add(new Figure(TRAINING, m + ": final fit", seconds, "s").withTarget(Target.atMost(600, "s"))
                        .withNote(source));
            } else if (model.equals("cnn")) {
                figures.add(new Figure(TRAINING, m + ": training time", seconds, "s").withTarget(Target.atMost(1200, "s"))
                        .withNote(source + ", " + cells[8].trim() + " epochs"));
            }
        }
    }

    private static boolean isTreeModel(String model) {
        return model.equals("xgboost") || model.equals("forest");
    }

    /**
     * Which version a throughput figure of a tree model measured: the benchmark's own database holds
     * only this run's short trainings, and a tree model's cost grows with its trees, so a figure of
     * the short model is not one of the registered full model.
     */
    String measuredModel(String model) {
        if (!isTreeModel(model)) {
            return null;
        }
        Optional<JsonNode> detail;
        try {
            detail = read("training-model-" + model + ".json");
        } catch (IOException e) {
            detail = Optional.empty();
        }
        if (detail.isEmpty()) {
            return "measured the newest `" + model + "` of the benchmark's database";
        }
        JsonNode version = detail.get().path("version");
        JsonNode params = version.path("params");
        String trees = model.equals("forest")
                ? params.path("num_parallel_tree").asInt() + " trees per class"
                : params.path("num_boost_round").asInt() + " rounds";
        return "measured `" + model + "` v" + version.path("version").asInt() + ", this run's short training ("
                + trees + ", " + version.path("metrics").path("trainImages").asInt()
                + " training images), not the full model of results/training.md";
    }

    private static String joined(String a, String b) {
        return a == null ? b : b == null ? a : a + "; " + b;
    }

    private static String runDate(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("Run: ")).findFirst()
                .map(l -> ", " + l.substring(5, Math.min(l.length(), 15))).orElse("");
    }

    private void services() throws IOException {
        Path tsv = dir.resolve("services.tsv");
        if (!Files.exists(tsv)) {
            missing.add(tsv.toString());
            return;
        }
        for (String line : Files.readAllLines(tsv)) {
            String[] f = line.split("\t");
            if (f.length < 5 || line.startsWith("#")) {
                continue;
            }
            String s = "`" + f[0] + "`";
            figures.add(new Figure(SERVICES, s + ": start-up to ready", Double.parseDouble(f[1]), "s")
                    .withNote("JVM start to /q/health/ready 200"));
            figures.add(new Figure(SERVICES, s + ": resident memory at rest", Double.parseDouble(f[2]) / 1024, "MiB"));
            figures.add(new Figure(SERVICES, s + ": resident memory under load (peak)", Double.parseDouble(f[3]) / 1024,
                    "MiB").withNote(f[4]));
        }
    }

    private Optional<JsonNode> read(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            missing.add(file.toString());
            return Optional.empty();
        }
        return Optional.of(mapper.readTree(file.toFile()));
    }

    // ---- output ----

    private Optional<Figure> worstMiss() {
        return figures.stream().filter(f -> Boolean.FALSE.equals(f.met()))
                .max(Comparator.comparingDouble(f -> f.target().missFactor(f.value())));
    }

    private String markdown(Map<String, Object> machine) throws IOException {
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Machine: ").append(MachineDescription.oneLine(machine)).append("  \n");
        md.append(String.format(Locale.ROOT, "Run: %s, `%s`%s, wall time %.0f s, figures measured one after another "
                + "on this machine\n\n", Instant.now(), command, mode.equals("quick") ? " (quick: fewer iterations and "
                + "images, figures noisier)" : "", wallSeconds));
        long met = figures.stream().filter(f -> Boolean.TRUE.equals(f.met())).count();
        long notMet = figures.stream().filter(f -> Boolean.FALSE.equals(f.met())).count();
        md.append(String.format(Locale.ROOT, "Targets: %d met, %d not met.", met, notMet));
        worstMiss().ifPresent(w -> md.append(String.format(Locale.ROOT, " Worst miss: %s, %s %s against %s (%.2fx off).",
                w.name(), Figures.format(w.value()), w.unit(), w.target(), w.target().missFactor(w.value()))));
        md.append("\n");
        for (String section : List.of(RAW, KAFKA, WIRE, HTTP, GRPC, XAI, TRAINING, SERVICES)) {
            List<Figure> rows = figures.stream().filter(f -> f.section().equals(section)).toList();
            md.append("\n## ").append(section).append("\n\n");
            if (rows.isEmpty()) {
                md.append("Not measured in this run.\n");
                continue;
            }
            md.append("| figure | value | target | met | note |\n| --- | ---: | --- | --- | --- |\n");
            for (Figure f : rows) {
                md.append("| ").append(f.name()).append(" | ").append(Figures.format(f.value(), f.unit()))
                        .append(f.unit().isEmpty() ? "" : " " + f.unit()).append(" | ")
                        .append(f.target() == null ? "" : f.target().toString()).append(" | ")
                        .append(f.met() == null ? "" : f.met() ? "met" : "**not met**").append(" | ")
                        .append(f.note() == null ? "" : f.note()).append(" |\n");
            }
        }
        if (!missing.isEmpty()) {
            md.append("\nPieces missing from this run: ").append(String.join(", ", missing.stream()
                    .map(m -> Path.of(m.split(" ")[0]).getFileName().toString()).toList())).append(".\n");
        }
        if (notes != null && Files.exists(notes)) {
            md.append("\n").append(Files.readString(notes).strip()).append("\n");
        }
        return md.toString();
    }

    private Map<String, Object> json(Map<String, Object> machine) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("machine", machine);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("command", command);
        run.put("mode", mode);
        run.put("wallSeconds", wallSeconds);
        run.put("writtenAt", Instant.now().toString());
        doc.put("run", run);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Figure f : figures) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("section", f.section());
            r.put("figure", f.name().replace("`", ""));
            r.put("value", Double.isNaN(f.value()) ? null : f.value());
            r.put("unit", f.unit());
            r.put("target", f.target() == null ? null : f.target().toString());
            r.put("met", f.met());
            r.put("note", f.note());
            rows.add(r);
        }
        doc.put("figures", rows);
        worstMiss().ifPresent(w -> doc.put("worstMiss", Map.of("figure", w.name().replace("`", ""), "value", w.value(),
                "target", w.target().toString(), "factor", w.target().missFactor(w.value()))));
        doc.put("missingPieces", missing);
        return doc;
    }
}
