package dev.fmnist.trainer.cli;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.trainer.evaluation.Evaluation;
import dev.fmnist.trainer.repository.ModelRegistryRepository;
import dev.fmnist.trainer.repository.ModelRegistryRepository.VersionInfo;
import dev.fmnist.trainer.service.TrainingJob;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@code training.md} and {@code training.json}: the figures of a full training run, next to the paper's. */
@ApplicationScoped
public class BenchmarkReport {
    /** The paper's per-class CNN test accuracy (percent); Bag is not given there. */
    static final double[] PAPER_CNN_PER_CLASS = {87.7, 97.7, 88.0, 90.6, 86.4, 98.1, 73.8, 95.6, Double.NaN, 96.2};
    /** The reference of each model: the paper's figure, and for {@code forest} zalando's benchmark table (scikit-learn's RandomForestClassifier). */
    static final Map<String, Double> PAPER_TEST_ACCURACY = Map.of("lenet", 91.26, "xgboost", 89.43, "forest", 87.3);
    static final Map<String, Double> TARGET_TEST_ACCURACY = Map.of("lenet", 91.3, "xgboost", 89.5, "cnn", 93.5,
            "forest", 87.5);

    private final ModelRegistryRepository registry;

    public BenchmarkReport(ModelRegistryRepository registry) {
        this.registry = registry;
    }

    public Path write(TrainingJob job, Path out, double wallSeconds) throws IOException, SQLException {
        Files.createDirectories(out);
        List<Map<String, Object>> models = new ArrayList<>();
        StringBuilder md = new StringBuilder("# Training results\n\n");
        md.append("Machine: ").append(machine()).append("  \n");
        md.append("Run: ").append(Instant.now()).append(", wall time ").append(String.format("%.0f s", wallSeconds))
                .append(", command `trainer benchmark`\n\n");
        md.append("Models trained by this run: ").append(job.registered().stream().map(TrainingJob.Registered::name).toList())
                .append("; the others are the latest published versions, trained by an earlier run (see their created time).\n\n");
        md.append("The paper column of `forest` is zalando's benchmark table (scikit-learn's RandomForestClassifier);"
                + " the paper has no random forest.\n\n");
        md.append("| model | version | test acc. | target | paper | train acc. | val acc. | epochs (best) | train time | train images/s | parameters | multiply-adds |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        Map<String, Evaluation> tests = new LinkedHashMap<>();
        // every model's version: the one this run trained, else the latest published (trained by an earlier run)
        List<TrainingJob.Registered> shown = new ArrayList<>();
        for (String name : ModelNames.KNOWN) {
            job.registered().stream().filter(r -> r.name().equals(name)).findFirst().ifPresentOrElse(shown::add, () -> {
                try {
                    registry.latest(name).ifPresent(m -> shown.add(new TrainingJob.Registered(name, m.version(), Double.NaN, null)));
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot read the registry", e);
                }
            });
        }
        for (TrainingJob.Registered r : shown) {
            VersionInfo info = registry.info(r.name(), r.version()).orElseThrow();
            Map<String, Evaluation> evals = registry.evaluations(r.name(), r.version());
            Evaluation test = evals.get("test");
            tests.put(r.name(), test);
            Map<String, Object> m = info.metrics();
            // a refit (trained on training and validation images together) has no validation figure
            Evaluation validation = evals.get("validation");
            md.append(String.format("| %s | %d | %.2f %% | %s | %s | %.2f %% | %s | %s (%s) | %s s | %s | %s | %s |%n",
                    r.name(), r.version(), 100 * test.accuracy(), pct(TARGET_TEST_ACCURACY.get(r.name())),
                    pct(PAPER_TEST_ACCURACY.get(r.name())), 100 * evals.get("train").accuracy(),
                    validation == null ? "- (refit)" : String.format("%.2f %%", 100 * validation.accuracy()),
                    m.getOrDefault("epochsRun", "-"), m.getOrDefault("bestEpoch", "-"),
                    number(m.get("trainSeconds")), fmt(m.get("trainImagesPerSecond")), fmt(m.get("parameters")),
                    fmt(m.get("multiplyAdds"))));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", r.name());
            entry.put("version", r.version());
            entry.put("createdAt", info.createdAt());
            entry.put("trainedByThisRun", job.registered().stream().anyMatch(x -> x.name().equals(r.name())));
            entry.put("metrics", m);
            entry.put("params", info.params());
            entry.put("evaluations", evals);
            models.add(entry);
        }
        md.append("\n## Per-class test accuracy (%)\n\n| class | paper CNN |");
        tests.keySet().forEach(n -> md.append(' ').append(n).append(" |"));
        md.append("\n| --- | --- |");
        tests.keySet().forEach(n -> md.append(" --- |"));
        md.append('\n');
        for (FashionClass c : FashionClass.values()) {
            md.append("| ").append(c.displayName()).append(" | ").append(pct(PAPER_CNN_PER_CLASS[c.label()])).append(" |");
            for (Evaluation e : tests.values()) {
                md.append(String.format(" %.1f |", 100 * e.perClassAccuracy()[c.label()]));
            }
            md.append('\n');
        }
        Path mdFile = out.resolve("training.md");
        // the seed study's section (SeedStudyReport) stays below the registered versions' table
        String previous = Files.exists(mdFile) ? Files.readString(mdFile) : "";
        int seeds = previous.indexOf(SeedStudyReport.SECTION);
        Files.writeString(mdFile, md + (seeds >= 0 ? "\n" + previous.substring(seeds) : ""));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine());
        json.put("wallSeconds", wallSeconds);
        json.put("createdAt", Instant.now());
        json.put("models", models);
        Files.writeString(out.resolve("training.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        return mdFile;
    }

    static String machine() {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return String.format("%d CPUs, %.0f GiB, %s %s, Java %s", Runtime.getRuntime().availableProcessors(),
                memory / (1024.0 * 1024 * 1024), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"));
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "-" : String.format("%.2f %%", v);
    }

    private static String number(Object v) {
        return v instanceof Number n ? String.format("%.0f", n.doubleValue()) : "-";
    }

    private static String fmt(Object v) {
        return v instanceof Number n ? String.format("%,.0f", n.doubleValue()) : "-";
    }
}
