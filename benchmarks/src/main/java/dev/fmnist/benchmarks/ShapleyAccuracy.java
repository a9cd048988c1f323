package dev.fmnist.benchmarks;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.KernelShapExplainer;
import dev.fmnist.xai.LimeAndKernelShap;
import dev.fmnist.xai.LimeExplainer;
import dev.fmnist.xai.MaskedScorer;
import dev.fmnist.xai.CoalitionGame;
import dev.fmnist.xai.MethodAgreements;
import dev.fmnist.xai.OutputSpace;
import dev.fmnist.xai.ShapleyValues;
import dev.fmnist.xai.StableHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How accurate KernelSHAP is (issue 18, item 2): on the first N test images per model (or the
 * images of {@code --images-file}, e.g. validation images), its segment weights against reference
 * Shapley values of the same game (the target class's output with only some segments visible, the
 * rest 0, in each output space of {@code --spaces}: {@code probability}, {@code log_odds} (the
 * centred log-probability, {@link OutputSpace#LOG_ODDS}) and, measured only, {@code logit}, the
 * binary {@code log(p / (1 - p))}): exact by enumeration when the image has at most
 * {@value #EXACT_MAX} non-null segments, else a permutation estimate (antithetic pairs) run until
 * its own relative standard error is at most {@code --reference-se} (or {@code --reference-cap}
 * evaluations), which is reported. KernelSHAP runs with the default settings at half, the default
 * and double budget: relative L2 error {@code |phi - ref| / |ref|} over all segments, Spearman over the
 * non-null segments, ms per explanation; and LIME's weighted R^2, LIME made as the service makes it beside
 * KernelSHAP ({@link LimeAndKernelShap}; its ms are the pair's). One thread, batches of 256.
 *
 * <p>Usage: {@code ShapleyAccuracy [--images N] [--quick] [--json FILE] [--md FILE]
 * [--model NAME=FILE.onnx ...] [--reference-se 0.02] [--reference-cap 600000] [--reference-seconds 3]
 * [--spaces log_odds,probability,logit] [--images-file FILE]} (the default space is the explainer's
 * default, {@link ExplainerSettings#DEFAULT_OUTPUT_SPACE}; the file holds N x 784 pixel bytes, then
 * N label bytes, as trainer-service's {@code CnnFullTraining -Dcnn.validation-out} writes it)
 * (the permutation reference stops at the first of: the relative SE, the cap in evaluations, about
 * that many seconds of model calls per image). Without
 * {@code --model}, the registry's newest versions (as {@link ExplanationCost}); {@code --quick} is
 * 20 images.
 */
public final class ShapleyAccuracy {
    static final int EXACT_MAX = 16;
    static final String[] BUDGETS = {"half", "default", "double"};

    /** KernelSHAP at one budget over all images of one model. */
    public record ShapRow(String model, int version, String space, String budget, double meanEvaluations, double meanRelL2,
                          double p50RelL2, double p90RelL2, double maxRelL2, double shareWithin005,
                          double meanSpearman, double minSpearman, double meanMs) {
    }

    /** LIME over all images of one model. */
    public record LimeRow(String model, int version, String space, double meanR2, double p10R2, double p50R2, double p90R2,
                          double meanMs) {
    }

    /** The references of one model. */
    public record Reference(String model, int version, String space, int images, int exact, int permutation,
                            double meanNonNullSegments, double meanReferenceRelSe, double maxReferenceRelSe,
                            double meanNullSegments) {
    }

    public static void main(String[] args) throws Exception {
        int n = 100;
        Path json = null;
        Path md = null;
        double referenceSe = 0.02;
        long referenceCap = 600_000;
        double referenceSeconds = 3;
        Map<String, Path> files = new LinkedHashMap<>();
        List<String> spaces = List.of(ExplainerSettings.DEFAULT_OUTPUT_SPACE.column());
        Path imagesFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> n = Integer.parseInt(args[++i]);
                case "--quick" -> n = 20;
                case "--json" -> json = Path.of(args[++i]);
                case "--md" -> md = Path.of(args[++i]);
                case "--reference-se" -> referenceSe = Double.parseDouble(args[++i]);
                case "--reference-cap" -> referenceCap = Long.parseLong(args[++i]);
                case "--reference-seconds" -> referenceSeconds = Double.parseDouble(args[++i]);
                case "--spaces" -> spaces = List.of(args[++i].split(","));
                case "--images-file" -> imagesFile = Path.of(args[++i]);
                case "--model" -> {
                    String[] kv = args[++i].split("=", 2);
                    files.put(kv[0], Path.of(kv[1]));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--images N, --quick, --json FILE, --md FILE, --model NAME=FILE.onnx, --reference-se X, --reference-cap N, --reference-seconds S, --spaces a,b, --images-file FILE)");
            }
        }
        for (String space : spaces) {
            if (!LOGIT.equals(space)) {
                OutputSpace.parse(space);
            }
        }
        LabelledImages images = imagesFile == null ? FashionMnist.load().test().head(n) : read(imagesFile).head(n);
        n = images.size();
        String source = imagesFile == null ? "the first " + n + " test images" : n + " images of " + imagesFile.getFileName();
        ScorerOptions options = ScorerOptions.cpu().withThreads(1);
        List<ShapRow> shapRows = new ArrayList<>();
        List<LimeRow> limeRows = new ArrayList<>();
        List<Reference> references = new ArrayList<>();
        List<ModelScorer> models = new ArrayList<>();
        if (files.isEmpty()) {
            ModelRegistryReader reader = RegistryModels.reader();
            for (String name : ModelNames.KNOWN) {
                Optional<StoredModel> stored = reader.latest(name);
                if (stored.isEmpty()) {
                    System.out.printf("%-8s (no published version)%n", name);
                } else {
                    models.add(ModelScorers.open(stored.get(), options));
                }
            }
        } else {
            for (Map.Entry<String, Path> f : files.entrySet()) {
                models.add(ModelScorers.open(f.getKey(), 0, "onnx", Files.readAllBytes(f.getValue()), options));
            }
        }
        for (ModelScorer model : models) {
            try (model) {
                for (String space : spaces) {
                    measure(model, space, images, n, referenceSe, referenceCap, referenceSeconds, shapRows, limeRows,
                            references);
                }
            }
        }
        String table = markdown(source, referenceSe, shapRows, limeRows, references);
        System.out.println(table);
        if (md != null) {
            write(md, table.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("images", n);
            doc.put("imageSource", source);
            doc.put("threads", 1);
            doc.put("referenceTargetRelSe", referenceSe);
            doc.put("references", references);
            doc.put("kernelShap", shapRows);
            doc.put("lime", limeRows);
            doc.put("measuredAt", Instant.now().toString());
            write(json, Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        }
    }

    /** The binary logit, measured only (no method explains it): not linear in the margins, so TreeSHAP has no exact values in it. */
    static final String LOGIT = "logit";

    /** N x 784 pixel bytes, then N label bytes. */
    static LabelledImages read(Path file) throws java.io.IOException {
        byte[] raw = Files.readAllBytes(file);
        if (raw.length % (Pixels.COUNT + 1) != 0) {
            throw new IllegalArgumentException(file + " does not hold N images of " + Pixels.COUNT
                    + " pixel bytes and N label bytes (" + raw.length + " bytes)");
        }
        int n = raw.length / (Pixels.COUNT + 1);
        return new LabelledImages(Arrays.copyOf(raw, n * Pixels.COUNT), Arrays.copyOfRange(raw, n * Pixels.COUNT, raw.length));
    }

    /** {@code log(p / (1 - p))} of a probability game, p clamped as {@link OutputSpace#PROBABILITY_FLOOR}. */
    static CoalitionGame logit(CoalitionGame probability) {
        return new CoalitionGame() {
            @Override
            public int players() {
                return probability.players();
            }

            @Override
            public double[] values(boolean[][] coalitions) {
                double[] v = probability.values(coalitions);
                for (int i = 0; i < v.length; i++) {
                    double p = Math.min(1 - 1e-7, Math.max(OutputSpace.PROBABILITY_FLOOR, v[i]));
                    v[i] = Math.log(p / (1 - p));
                }
                return v;
            }
        };
    }

    private static void measure(ModelScorer model, String space, LabelledImages images, int n, double referenceSe,
                                long referenceCap, double referenceSeconds, List<ShapRow> shapRows, List<LimeRow> limeRows,
                                List<Reference> references) {
        boolean logit = LOGIT.equals(space);
        ExplainerSettings settings = ExplainerSettings.defaults()
                .withOutputSpace(logit ? OutputSpace.PROBABILITY : OutputSpace.parse(space));
        model.warmUp(settings.batchSize());
        LimeExplainer lime = new LimeExplainer(settings);
        LimeAndKernelShap pair = new LimeAndKernelShap(settings);
        double[][] err = new double[BUDGETS.length][n];
        double[][] rho = new double[BUDGETS.length][n];
        double[][] evals = new double[BUDGETS.length][n];
        double[][] ms = new double[BUDGETS.length][n];
        double[] r2 = new double[n];
        double[] limeMs = new double[n];
        double[] refSe = new double[n];
        int exact = 0;
        double players = 0;
        double nulls = 0;
        lime.explain(model, Pixels.toModelInput(images.image(0)), 0, 1); // warm-up
        Attribution warm = new KernelShapExplainer(settings).explain(model, Pixels.toModelInput(images.image(0)), 0, 1);
        // a permutation reference stops after about referenceSeconds of model calls (cnn is 10 times slower than lenet)
        long cap = Math.min(referenceCap, (long) (referenceSeconds * warm.samples() / (warm.elapsedMs() / 1000)));
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int target = ModelScorers.argmax(model.score(x, 1), 0);
            MaskedScorer scorer = MaskedScorer.of(model, x, target, settings);
            CoalitionGame game = logit ? logit(scorer) : scorer;
            int k = scorer.players();
            players += k;
            nulls += scorer.segments().count() - k;
            double[] reference;
            if (k <= EXACT_MAX) {
                reference = scorer.toSegments(ShapleyValues.exact(game, settings.batchSize()));
                exact++;
            } else {
                ShapleyValues.Estimate e = ShapleyValues.permutation(game, referenceSe, 50, 100, cap,
                        StableHash.seed("reference-" + i, model.name()));
                reference = scorer.toSegments(e.values());
                refSe[i] = e.relativeStandardError();
            }
            int defaultBudget = settings.shapBudgetFor(k);
            int[] budgets = {Math.max(ExplainerSettings.MIN_SHAP_BUDGET, defaultBudget / 2), defaultBudget, 2 * defaultBudget};
            long seed = StableHash.seed("bench-" + i, "kernel_shap");
            for (int b = 0; b < budgets.length; b++) {
                KernelShapExplainer shap = new KernelShapExplainer(settings.withShapBudget(budgets[b]));
                long t0 = System.nanoTime();
                float[] weights;
                if (logit) {
                    // the explainer itself has no logit space: its algorithm on the logit game
                    double[] ends = game.values(new boolean[][] {new boolean[k], full(k)});
                    weights = toFloats(scorer.toSegments(KernelShapExplainer.shapleyValues(game, ends[0], ends[1],
                            budgets[b] - 2, seed)));
                    evals[b][i] = k <= KernelShapExplainer.EXACT_MAX_SEGMENTS ? 1 << k : budgets[b];
                } else {
                    Attribution a = shap.explain(model, x, target, seed);
                    weights = a.segmentWeights();
                    evals[b][i] = a.samples();
                }
                ms[b][i] = (System.nanoTime() - t0) / 1e6;
                err[b][i] = relativeL2(weights, reference);
                rho[b][i] = nonNullSpearman(weights, reference, scorer.activeSegments());
            }
            if (!logit) {
                // LIME as the service makes it beside KernelSHAP: from the pair's shared evaluations
                long t0 = System.nanoTime();
                Attribution l = pair.explain(model, x, target, StableHash.seed("bench-" + i, "lime"), seed).lime();
                limeMs[i] = (System.nanoTime() - t0) / 1e6;
                r2[i] = l.limeR2();
            }
            System.out.printf(Locale.ROOT, "%s %s image %3d: %2d non-null segments, reference %s, kernel_shap rel L2 %.3f / %.3f / %.3f,"
                            + " lime R^2 %.2f%n", model.name(), space, i, k, k <= EXACT_MAX ? "exact" : String.format(Locale.ROOT,
                            "permutation (rel SE %.3f)", refSe[i]), err[0][i], err[1][i], err[2][i], r2[i]);
        }
        for (int b = 0; b < BUDGETS.length; b++) {
            double within = 0;
            for (double e : err[b]) {
                within += e <= 0.05 ? 1 : 0;
            }
            shapRows.add(new ShapRow(model.name(), model.version(), space, BUDGETS[b], mean(evals[b]), mean(err[b]),
                    quantile(err[b], 0.5), quantile(err[b], 0.9), quantile(err[b], 1), within / n, mean(rho[b]),
                    quantile(rho[b], 0), mean(ms[b])));
        }
        if (!logit) {
            limeRows.add(new LimeRow(model.name(), model.version(), space, mean(r2), quantile(r2, 0.1), quantile(r2, 0.5),
                    quantile(r2, 0.9), mean(limeMs)));
        }
        double[] permSe = Arrays.stream(refSe).filter(v -> v > 0).toArray();
        references.add(new Reference(model.name(), model.version(), space, n, exact, n - exact, players / n,
                permSe.length == 0 ? 0 : mean(permSe), permSe.length == 0 ? 0 : quantile(permSe, 1), nulls / n));
    }

    static String markdown(String source, double referenceSe, List<ShapRow> shap, List<LimeRow> lime, List<Reference> refs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "KernelSHAP against reference Shapley values, %s per model, default "
                + "settings (4x4 grid), one thread; reference exact by enumeration up to %d non-null segments, else "
                + "permutation sampling to a relative standard error of %.3f%n%n", source, EXACT_MAX, referenceSe));
        sb.append("| model | space | images | non-null segments (mean) | null segments (mean) | exact / permutation | reference rel SE (mean, max) |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Reference r : refs) {
            sb.append(String.format(Locale.ROOT, "| %s/%d | %s | %d | %.1f | %.1f | %d / %d | %.3f, %.3f |%n", r.model(), r.version(),
                    r.space(), r.images(), r.meanNonNullSegments(), r.meanNullSegments(), r.exact(), r.permutation(),
                    r.meanReferenceRelSe(), r.maxReferenceRelSe()));
        }
        sb.append("\n| model | space | budget | evaluations (mean) | rel L2 mean | p50 | p90 | max | share <= 0.05 | Spearman mean | min | ms |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (ShapRow r : shap) {
            sb.append(String.format(Locale.ROOT, "| %s/%d | %s | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.0f %% | %.3f | %.3f | %.1f |%n",
                    r.model(), r.version(), r.space(), r.budget(), r.meanEvaluations(), r.meanRelL2(), r.p50RelL2(), r.p90RelL2(),
                    r.maxRelL2(), 100 * r.shareWithin005(), r.meanSpearman(), r.minSpearman(), r.meanMs()));
        }
        sb.append("\n| model | space | LIME R^2 mean | p10 | p50 | p90 | ms (LIME and KernelSHAP together) |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for (LimeRow r : lime) {
            sb.append(String.format(Locale.ROOT, "| %s/%d | %s | %.3f | %.3f | %.3f | %.3f | %.1f |%n", r.model(), r.version(),
                    r.space(), r.meanR2(), r.p10R2(), r.p50R2(), r.p90R2(), r.meanMs()));
        }
        return sb.toString();
    }

    static double relativeL2(float[] estimate, double[] reference) {
        double d = 0;
        double r = 0;
        for (int j = 0; j < reference.length; j++) {
            d += (estimate[j] - reference[j]) * (estimate[j] - reference[j]);
            r += reference[j] * reference[j];
        }
        return r == 0 ? (d == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(d / r);
    }

    /** Spearman over the non-null segments only (the null ones are 0 in both and would only add ties). */
    static double nonNullSpearman(float[] estimate, double[] reference, int[] active) {
        float[] a = new float[active.length];
        float[] b = new float[active.length];
        for (int i = 0; i < active.length; i++) {
            a[i] = estimate[active[i]];
            b[i] = (float) reference[active[i]];
        }
        Double rho = active.length < 2 ? null : MethodAgreements.spearman(a, b);
        return rho == null ? 1 : rho;
    }

    private static boolean[] full(int k) {
        boolean[] mask = new boolean[k];
        Arrays.fill(mask, true);
        return mask;
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The q-quantile by nearest rank (0 = min, 1 = max). */
    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
    }

    private static void write(Path file, byte[] bytes) throws java.io.IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.write(file, bytes);
    }
}
