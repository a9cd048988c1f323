package dev.fmnist.trainer.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.trainer.evaluation.Evaluation;
import dev.fmnist.trainer.service.TrainingService.SeedRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed study of {@code trainer benchmark --seeds N}: every run is kept in
 * {@code training-seeds.json} (one record per model, settings and seed; a rerun of the same three
 * replaces its record), so the study can run in chunks, a few seeds per command. After each
 * command the section "Seeds" at the end of {@code training.md} is written again from all records:
 * per model and settings the mean and sample standard deviation of the test accuracy over the
 * seeds, the train and validation means, the per-class test mean, and one row per run. What
 * {@code training.md} holds above that section (the registered versions' table) is kept.
 */
public final class SeedStudyReport {
    static final String RUNS_FILE = "training-seeds.json";
    static final String SECTION = "<!-- seed study: written by `trainer benchmark --seeds N` from training-seeds.json -->";

    private SeedStudyReport() {
    }

    /** One run as stored: figures in percent. */
    public record Record(String model, String settings, long seed, double trainSeconds, double trainAccuracy,
                         double validationAccuracy, double testAccuracy, double[] testPerClass, Object bestEpoch,
                         Object epochsRun, String machine, Instant at) {
    }

    /** Adds {@code runs} to the stored records under {@code out} and rewrites the section of {@code training.md}. */
    public static Path write(List<SeedRun> runs, String settings, Path out) throws IOException {
        Files.createDirectories(out);
        Path json = out.resolve(RUNS_FILE);
        List<Record> records = new ArrayList<>(read(json));
        for (SeedRun run : runs) {
            Record r = record(run, settings);
            records.removeIf(x -> x.model().equals(r.model()) && x.settings().equals(r.settings()) && x.seed() == r.seed());
            records.add(r);
        }
        records.sort(Comparator.comparing((Record r) -> ModelNames.KNOWN.indexOf(r.model()))
                .thenComparing(Record::settings).thenComparingLong(Record::seed));
        Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("runs", records)));
        Path md = out.resolve("training.md");
        String above = Files.exists(md) ? Files.readString(md) : "# Training results\n\n";
        int cut = above.indexOf(SECTION);
        if (cut >= 0) {
            above = above.substring(0, cut);
        }
        Files.writeString(md, above + section(records));
        return md;
    }

    static List<Record> read(Path json) throws IOException {
        if (!Files.exists(json)) {
            return List.of();
        }
        Map<String, List<Record>> stored = Json.mapper().readValue(json.toFile(), new TypeReference<>() { });
        return stored.getOrDefault("runs", List.of());
    }

    static Record record(SeedRun run, String settings) {
        Evaluation test = run.evaluation("test");
        double[] perClass = new double[FashionClass.COUNT];
        for (int c = 0; c < perClass.length; c++) {
            perClass[c] = 100 * test.perClassAccuracy()[c];
        }
        return new Record(run.model(), settings, run.seed(), run.trainSeconds(), 100 * run.evaluation("train").accuracy(),
                100 * run.evaluation("validation").accuracy(), 100 * test.accuracy(), perClass,
                run.metrics().get("bestEpoch"), run.metrics().get("epochsRun"), BenchmarkReport.machine(), Instant.now());
    }

    static String section(List<Record> records) {
        Map<String, List<Record>> groups = new LinkedHashMap<>();
        for (Record r : records) {
            groups.computeIfAbsent(r.model() + "\u0000" + r.settings(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder(SECTION).append("\n## Seeds\n\n");
        md.append("Each model trained once per seed (the seed sets the 54,000 / 6,000 train / validation split, the"
                + " initialisation and batch order of the CNNs, XGBoost's row and column sampling), then scored by the"
                + " evaluator on train, validation and the official 10,000 test images (read once per run, after"
                + " training). These runs are not registered. Mean ± sample standard deviation over the seeds;"
                + " the settings column says what differs from the registered defaults: `--no-search` fits the tree"
                + " models at the grid point their full search chose by cross-validation with seed 42 (xgboost"
                + " max_depth 4, colsample_bytree 0.5; forest max_depth 20 on validation, colsample_bynode 0.15) instead of"
                + " searching again per seed; `--epochs N` caps the CNNs' epochs, xgboost's rounds or the forest's"
                + " trees per class.\n\n");
        md.append("| model | settings | test acc. mean ± std | seeds | test min - max | val acc. mean ± std | train acc. mean | train time mean |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (List<Record> g : groups.values()) {
            Record first = g.get(0);
            double[] test = g.stream().mapToDouble(Record::testAccuracy).toArray();
            double[] val = g.stream().mapToDouble(Record::validationAccuracy).toArray();
            md.append(String.format("| %s | %s | %.2f ± %s %% | %d | %.2f - %.2f %% | %.2f ± %s %% | %.2f %% | %.0f s |%n",
                    first.model(), first.settings(), mean(test), spread(test), g.size(), min(test), max(test), mean(val),
                    spread(val), mean(g.stream().mapToDouble(Record::trainAccuracy).toArray()),
                    mean(g.stream().mapToDouble(Record::trainSeconds).toArray())));
        }
        md.append("\n### Per-class test accuracy, mean over the seeds (%)\n\n| class |");
        // model, settings and seeds: one model may have runs of two settings
        groups.values().forEach(g -> md.append(' ').append(g.get(0).model()).append(" (").append(g.get(0).settings())
                .append(", ").append(g.size()).append(") |"));
        md.append("\n| --- |");
        groups.values().forEach(g -> md.append(" --- |"));
        md.append('\n');
        for (FashionClass c : FashionClass.values()) {
            md.append("| ").append(c.displayName()).append(" |");
            for (List<Record> g : groups.values()) {
                md.append(String.format(" %.1f |", mean(g.stream().mapToDouble(r -> r.testPerClass()[c.label()]).toArray())));
            }
            md.append('\n');
        }
        md.append("\n### Runs\n\n| model | settings | seed | test acc. | val acc. | train acc. | train time | best epoch / rounds run | when |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Record r : records) {
            md.append(String.format("| %s | %s | %d | %.2f %% | %.2f %% | %.2f %% | %.0f s | %s / %s | %s, %s |%n", r.model(),
                    r.settings(), r.seed(), r.testAccuracy(), r.validationAccuracy(), r.trainAccuracy(), r.trainSeconds(),
                    r.bestEpoch() == null ? "-" : r.bestEpoch(), r.epochsRun() == null ? "-" : r.epochsRun(), r.at(),
                    r.machine()));
        }
        return md.toString();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** The standard deviation as shown: "-" for a single run, which has none. */
    static String spread(double[] v) {
        return v.length < 2 ? "-" : String.format("%.2f", std(v));
    }

    /** Sample standard deviation (n - 1); 0 for a single run. */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }
}
