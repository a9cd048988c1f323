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
 * and double budget: relative L2 error {@code |phi - ref| / |ref|} over all segments (also as a root mean
 * square, and that with the references' own noise taken out, {@link #ownRms}), Spearman over the
 * non-null segments, ms per explanation; and LIME's weighted R^2, LIME made as the service makes it beside
 * KernelSHAP ({@link LimeAndKernelShap}; its ms are the pair's). One thread, batches of 256.
 *
 * <p>Usage: {@code ShapleyAccuracy [--images N] [--quick] [--json FILE] [--md FILE]
 * [--model NAME=FILE.onnx ...] [--reference-se 0.02] [--reference-cap 600000] [--reference-seconds 30]
 * [--spaces log_odds,probability,logit] [--images-file FILE] [--parallel N] [--budgets 0.5,1,2]
 * [--budget-factor NAME=F ...]}
 * ({@code --parallel}: images measured at once, one native thread each, for long references on several
 * cores; {@code --budgets}: the KernelSHAP budgets measured, as multiples of the default; {@code
 * --budget-factor}: a model's default budget as a multiple of the base one, as the explainer's {@code
 * explainer.kernel-shap.budget-factor.<model>} sets it) (the default space is the explainer's
 * default, {@link ExplainerSettings#DEFAULT_OUTPUT_SPACE}; the file holds N x 784 pixel bytes, then
 * N label bytes, as trainer-service's {@code CnnFullTraining -Dcnn.validation-out} writes it)
 * (the permutation reference stops at the first of: the relative SE, the cap in evaluations, about
 * that many seconds of model calls per image). Without
 * {@code --model}, the registry's newest versions (as {@link ExplanationCost}); {@code --quick} is
 * 20 images.
 */
public final class ShapleyAccuracy {
    static final int EXACT_MAX = 16;

    /** KernelSHAP at one budget over all images of one model. */
    public record ShapRow(String model, int version, String space, String budget, double meanEvaluations, double meanRelL2,
                          double p50RelL2, double p90RelL2, double maxRelL2, double shareWithin005,
                          double meanSpearman, double minSpearman, double meanMs, double rmsRelL2,
                          double ownRmsRelL2, double ownMeanRelL2, double defaultBudgetFactor) {
    }

    /** How references are run, how many images at once, and the budgets measured (multiples of the default). */
    record Options(double referenceSe, long referenceCap, double referenceSeconds, int parallel, double[] budgets,
                   Map<String, Double> budgetFactors) {
        /** The model's default budget as a multiple of the base one ({@code explainer.kernel-shap.budget-factor.<model>}). */
        double budgetFactor(String model) {
            return budgetFactors.getOrDefault(model, 1.0);
        }
    }

    /** LIME over all images of one model. */
    public record LimeRow(String model, int version, String space, double meanR2, double p10R2, double p50R2, double p90R2,
                          double meanMs) {
    }

    /**
     * Faithfulness of the maps the service stores (LIME and KernelSHAP at the default budget, made together), as
     * {@code SegmentationChoice} measures it: the mean area under the class probability as the non-null segments are
     * removed in order of the weights, highest first, over the share of non-zero pixels removed, against the mean of
     * {@value #RANDOM_ORDERS} random orders; ratio = method / random (lower is more faithful, 1 is no better than chance).
     */
    public record DeletionRow(String model, int version, String space, double kernelShapArea, double limeArea,
                              double randomArea, double kernelShapRatio, double limeRatio, double kernelShapBelowRandom,
                              double limeBelowRandom) {
    }

    static final int RANDOM_ORDERS = 4;

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
        // a safety cap: lenet, xgboost and the forest reach the relative SE in a few seconds; cnn, 10 times slower per
        // evaluation, needs about 20 s an image for 0.02 (at 3 s, the first cap, its references carried a relative SE
        // of 0.050, which alone put its measured error near the target: results/benchmarks.md, 2026-12-04)
        double referenceSeconds = 30;
        int parallel = 1;
        double[] budgets = {0.5, 1, 2};
        Map<String, Path> files = new LinkedHashMap<>();
        List<String> spaces = List.of(ExplainerSettings.DEFAULT_OUTPUT_SPACE.column());
        Path imagesFile = null;
        Map<String, Double> budgetFactors = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> n = Integer.parseInt(args[++i]);
                case "--quick" -> n = 20;
                case "--json" -> json = Path.of(args[++i]);
                case "--md" -> md = Path.of(args[++i]);
                case "--reference-se" -> referenceSe = Double.parseDouble(args[++i]);
                case "--reference-cap" -> referenceCap = Long.parseLong(args[++i]);
                case "--reference-seconds" -> referenceSeconds = Double.parseDouble(args[++i]);
                case "--parallel" -> parallel = Integer.parseInt(args[++i]);
                case "--budgets" -> budgets = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
                case "--spaces" -> spaces = List.of(args[++i].split(","));
                case "--images-file" -> imagesFile = Path.of(args[++i]);
                case "--model" -> {
                    String[] kv = args[++i].split("=", 2);
                    files.put(kv[0], Path.of(kv[1]));
                }
                case "--budget-factor" -> {
                    String[] kv = args[++i].split("=", 2);
                    double f = kv.length == 2 ? Double.parseDouble(kv[1]) : Double.NaN;
                    if (!(f > 0)) {
                        throw new IllegalArgumentException("--budget-factor takes NAME=FACTOR with a factor above 0, got " + args[i]);
                    }
                    budgetFactors.put(kv[0], f);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--images N, --quick, --json FILE, --md FILE, --model NAME=FILE.onnx, --reference-se X, --reference-cap N, --reference-seconds S, --spaces a,b, --images-file FILE, --parallel N, --budgets 0.5,1,2, --budget-factor NAME=F)");
            }
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1, got " + parallel);
        }
        for (double b : budgets) {
            if (!(b > 0)) {
                throw new IllegalArgumentException("--budgets takes multiples of the default budget above 0, got " + b);
            }
        }
        Options options = new Options(referenceSe, referenceCap, referenceSeconds, parallel, budgets, budgetFactors);
        for (String space : spaces) {
            if (!LOGIT.equals(space)) {
                OutputSpace.parse(space);
            }
        }
        LabelledImages images = imagesFile == null ? FashionMnist.load().test().head(n) : read(imagesFile).head(n);
        n = images.size();
        String source = imagesFile == null ? "the first " + n + " test images" : n + " images of " + imagesFile.getFileName();
        ScorerOptions scorerOptions = ScorerOptions.cpu().withThreads(1);
        List<ShapRow> shapRows = new ArrayList<>();
        List<LimeRow> limeRows = new ArrayList<>();
        List<Reference> references = new ArrayList<>();
        List<DeletionRow> deletions = new ArrayList<>();
        List<ModelScorer> models = new ArrayList<>();
        if (files.isEmpty()) {
            ModelRegistryReader reader = RegistryModels.reader();
            for (String name : ModelNames.KNOWN) {
                Optional<StoredModel> stored = reader.latest(name);
                if (stored.isEmpty()) {
                    System.out.printf("%-8s (no published version)%n", name);
                } else {
                    models.add(ModelScorers.open(stored.get(), scorerOptions));
                }
            }
        } else {
            for (Map.Entry<String, Path> f : files.entrySet()) {
                models.add(ModelScorers.open(f.getKey(), 0, "onnx", Files.readAllBytes(f.getValue()), scorerOptions));
            }
        }
        for (ModelScorer model : models) {
            try (model) {
                for (String space : spaces) {
                    measure(model, space, images, n, options, shapRows, limeRows, references, deletions);
                }
            }
        }
        String table = markdown(source + (parallel > 1 ? ", " + parallel + " images at a time" : ""), referenceSe, shapRows,
                limeRows, references) + deletionMarkdown(deletions);
        System.out.println(table);
        if (md != null) {
            write(md, table.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("images", n);
            doc.put("imageSource", source);
            doc.put("threads", 1);
            doc.put("parallelImages", parallel);
            doc.put("referenceTargetRelSe", referenceSe);
            doc.put("references", references);
            doc.put("kernelShap", shapRows);
            doc.put("lime", limeRows);
            doc.put("deletion", deletions);
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

    /** One image's figures: per budget the error, Spearman, evaluations and ms; LIME's R^2 and ms; the reference's own error. */
    private record ImageResult(double[] err, double[] rho, double[] evals, double[] ms, double r2, double limeMs, double refSe,
                               boolean exact, int players, int nulls, double shapDeletion, double limeDeletion,
                               double randomDeletion) {
    }

    private static void measure(ModelScorer model, String space, LabelledImages images, int n, Options o,
                                List<ShapRow> shapRows, List<LimeRow> limeRows, List<Reference> references,
                                List<DeletionRow> deletions) throws Exception {
        boolean logit = LOGIT.equals(space);
        // the model's default budget as the explainer has it (explainer.kernel-shap.budget-factor.<model>)
        ExplainerSettings settings = ExplainerSettings.defaults()
                .withOutputSpace(logit ? OutputSpace.PROBABILITY : OutputSpace.parse(space))
                .withShapBudgetFactor(o.budgetFactor(model.name()));
        model.warmUp(settings.batchSize());
        new LimeExplainer(settings).explain(model, Pixels.toModelInput(images.image(0)), 0, 1); // warm-up
        Attribution warm = new KernelShapExplainer(settings).explain(model, Pixels.toModelInput(images.image(0)), 0, 1);
        // a permutation reference stops after about referenceSeconds of model calls (cnn is 10 times slower than lenet)
        long cap = Math.min(o.referenceCap(), (long) (o.referenceSeconds() * warm.samples() / (warm.elapsedMs() / 1000)));
        ImageResult[] results = new ImageResult[n];
        // images are independent: with --parallel each worker thread takes its own (one native thread each)
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(o.parallel());
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int image = i;
                done.add(pool.submit(() -> {
                    results[image] = measureImage(model, space, logit, settings, images, image, o, cap);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int budgets = o.budgets().length;
        double[][] err = new double[budgets][n];
        double[][] rho = new double[budgets][n];
        double[][] evals = new double[budgets][n];
        double[][] ms = new double[budgets][n];
        double[] r2 = new double[n];
        double[] limeMs = new double[n];
        double[] refSe = new double[n];
        double[] shapDel = new double[n];
        double[] limeDel = new double[n];
        double[] randomDel = new double[n];
        int exact = 0;
        double players = 0;
        double nulls = 0;
        for (int i = 0; i < n; i++) {
            ImageResult r = results[i];
            for (int b = 0; b < budgets; b++) {
                err[b][i] = r.err()[b];
                rho[b][i] = r.rho()[b];
                evals[b][i] = r.evals()[b];
                ms[b][i] = r.ms()[b];
            }
            r2[i] = r.r2();
            limeMs[i] = r.limeMs();
            refSe[i] = r.refSe();
            shapDel[i] = r.shapDeletion();
            limeDel[i] = r.limeDeletion();
            randomDel[i] = r.randomDeletion();
            exact += r.exact() ? 1 : 0;
            players += r.players();
            nulls += r.nulls();
        }
        for (int b = 0; b < budgets; b++) {
            double within = 0;
            for (double e : err[b]) {
                within += e <= 0.05 ? 1 : 0;
            }
            shapRows.add(new ShapRow(model.name(), model.version(), space, budgetName(o.budgets()[b]), mean(evals[b]),
                    mean(err[b]), quantile(err[b], 0.5), quantile(err[b], 0.9), quantile(err[b], 1), within / n,
                    mean(rho[b]), quantile(rho[b], 0), mean(ms[b]), rms(err[b]), ownRms(err[b], refSe),
                    ownMean(err[b], refSe), o.budgetFactor(model.name())));
        }
        if (!logit) {
            limeRows.add(new LimeRow(model.name(), model.version(), space, mean(r2), quantile(r2, 0.1), quantile(r2, 0.5),
                    quantile(r2, 0.9), mean(limeMs)));
            double random = mean(randomDel);
            deletions.add(new DeletionRow(model.name(), model.version(), space, mean(shapDel), mean(limeDel), random,
                    mean(shapDel) / random, mean(limeDel) / random, shareBelow(shapDel, randomDel),
                    shareBelow(limeDel, randomDel)));
        }
        double[] permSe = Arrays.stream(refSe).filter(v -> v > 0).toArray();
        references.add(new Reference(model.name(), model.version(), space, n, exact, n - exact, players / n,
                permSe.length == 0 ? 0 : mean(permSe), permSe.length == 0 ? 0 : quantile(permSe, 1), nulls / n));
    }

    private static ImageResult measureImage(ModelScorer model, String space, boolean logit, ExplainerSettings settings,
                                            LabelledImages images, int i, Options o, long cap) {
        int budgets = o.budgets().length;
        double[] err = new double[budgets];
        double[] rho = new double[budgets];
        double[] evals = new double[budgets];
        double[] ms = new double[budgets];
        float[] x = Pixels.toModelInput(images.image(i));
        int target = ModelScorers.argmax(model.score(x, 1), 0);
        MaskedScorer scorer = MaskedScorer.of(model, x, target, settings);
        CoalitionGame game = logit ? logit(scorer) : scorer;
        int k = scorer.players();
        double[] reference;
        double refSe = 0;
        if (k <= EXACT_MAX) {
            reference = scorer.toSegments(ShapleyValues.exact(game, settings.batchSize()));
        } else {
            ShapleyValues.Estimate e = ShapleyValues.permutation(game, o.referenceSe(), 50, 100, cap,
                    StableHash.seed("reference-" + i, model.name()));
            reference = scorer.toSegments(e.values());
            refSe = e.relativeStandardError();
        }
        int defaultBudget = settings.shapBudgetFor(k);
        long seed = StableHash.seed("bench-" + i, "kernel_shap");
        for (int b = 0; b < budgets; b++) {
            int budget = Math.max(ExplainerSettings.MIN_SHAP_BUDGET, (int) Math.round(o.budgets()[b] * defaultBudget));
            long t0 = System.nanoTime();
            float[] weights;
            if (logit) {
                // the explainer itself has no logit space: its algorithm on the logit game
                double[] ends = game.values(new boolean[][] {new boolean[k], full(k)});
                weights = toFloats(scorer.toSegments(KernelShapExplainer.shapleyValues(game, ends[0], ends[1],
                        budget - 2, seed)));
                evals[b] = k <= KernelShapExplainer.EXACT_MAX_SEGMENTS ? 1 << k : budget;
            } else {
                Attribution a = new KernelShapExplainer(settings.withShapBudget(budget).withShapBudgetFactor(1))
                        .explain(model, x, target, seed);
                weights = a.segmentWeights();
                evals[b] = a.samples();
            }
            ms[b] = (System.nanoTime() - t0) / 1e6;
            err[b] = relativeL2(weights, reference);
            rho[b] = nonNullSpearman(weights, reference, scorer.activeSegments());
        }
        double r2 = 0;
        double limeMs = 0;
        double shapDeletion = Double.NaN;
        double limeDeletion = Double.NaN;
        double randomDeletion = Double.NaN;
        if (!logit) {
            // LIME as the service makes it beside KernelSHAP: from the pair's shared evaluations
            long t0 = System.nanoTime();
            LimeAndKernelShap.Pair pair = new LimeAndKernelShap(settings).explain(model, x, target,
                    StableHash.seed("bench-" + i, "lime"), seed);
            limeMs = (System.nanoTime() - t0) / 1e6;
            r2 = pair.lime().limeR2();
            // faithfulness of the stored pair, in probability as SegmentationChoice measures it
            MaskedScorer probability = MaskedScorer.of(model, x, target, settings.withOutputSpace(OutputSpace.PROBABILITY));
            int[] active = probability.activeSegments();
            double[] pixelShare = SegmentationChoice.pixelShares(probability.segments(), x, active);
            shapDeletion = SegmentationChoice.deletionArea(probability, pixelShare,
                    SegmentationChoice.order(pair.kernelShap().segmentWeights(), active));
            limeDeletion = SegmentationChoice.deletionArea(probability, pixelShare,
                    SegmentationChoice.order(pair.lime().segmentWeights(), active));
            randomDeletion = SegmentationChoice.randomDeletionArea(probability, pixelShare, RANDOM_ORDERS,
                    new java.util.Random(StableHash.seed("deletion-random-" + i, model.name())));
        }
        StringBuilder errors = new StringBuilder();
        for (int b = 0; b < budgets; b++) {
            errors.append(b == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.3f", err[b]));
        }
        System.out.printf(Locale.ROOT, "%s %s image %3d: %2d non-null segments, reference %s, kernel_shap rel L2 %s,"
                        + " lime R^2 %.2f%n", model.name(), space, i, k, k <= EXACT_MAX ? "exact" : String.format(Locale.ROOT,
                        "permutation (rel SE %.3f)", refSe), errors, r2);
        return new ImageResult(err, rho, evals, ms, r2, limeMs, refSe, k <= EXACT_MAX, k, scorer.segments().count() - k,
                shapDeletion, limeDeletion, randomDeletion);
    }

    /** The share of images whose {@code method} area is below their {@code random} area. */
    static double shareBelow(double[] method, double[] random) {
        double below = 0;
        for (int i = 0; i < method.length; i++) {
            below += method[i] < random[i] ? 1 : 0;
        }
        return below / method.length;
    }

    /** The deletion table: per model, the stored pair's areas against random orders. */
    static String deletionMarkdown(List<DeletionRow> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\nDeletion (class probability as segments are removed, highest weight first, "
                + "over the share of non-zero pixels removed; ratio = area / mean of " + RANDOM_ORDERS
                + " random orders, lower is more faithful):\n\n"
                + "| model | space | KernelSHAP area | LIME area | random area | KernelSHAP ratio | LIME ratio | "
                + "KernelSHAP below random | LIME below random |\n|---|---|---|---|---|---|---|---|---|\n");
        for (DeletionRow r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f %% | %.0f %% |%n",
                    r.model(), r.space(), r.kernelShapArea(), r.limeArea(), r.randomArea(), r.kernelShapRatio(),
                    r.limeRatio(), 100 * r.kernelShapBelowRandom(), 100 * r.limeBelowRandom()));
        }
        return md.toString();
    }

    /**
     * The mean error with each image's reference noise taken out, {@code mean(sqrt(max(0, err^2 - se^2)))}: an
     * indication only (a single image's difference is noisy, and clipping at 0 leans low), beside {@link #ownRms}.
     */
    static double ownMean(double[] err, double[] referenceSe) {
        double sum = 0;
        for (int i = 0; i < err.length; i++) {
            sum += Math.sqrt(Math.max(0, err[i] * err[i] - referenceSe[i] * referenceSe[i]));
        }
        return sum / err.length;
    }

    /** A budget multiple's name in the tables: half, default, double, or x4 and the like. */
    static String budgetName(double multiple) {
        return multiple == 0.5 ? "half" : multiple == 1 ? "default" : multiple == 2 ? "double" : "x" + multiple(multiple);
    }

    /** 8 for 8.0, 1.5 for 1.5. */
    static String multiple(double m) {
        return m == Math.rint(m) ? Long.toString((long) m) : Double.toString(m);
    }

    /** Root mean square of the per-image errors. */
    static double rms(double[] err) {
        return Math.sqrt(Arrays.stream(err).map(e -> e * e).average().orElse(Double.NaN));
    }

    /**
     * KernelSHAP's own root mean square error, the references' noise taken out: the measured squared error of an
     * image is KernelSHAP's own plus its reference's (relative SE squared; 0 for exact references), the two being
     * independent (different seeds and samplers), so {@code sqrt(mean(err^2) - mean(se^2))}, at least 0.
     */
    static double ownRms(double[] err, double[] referenceSe) {
        double e2 = Arrays.stream(err).map(e -> e * e).average().orElse(Double.NaN);
        double s2 = Arrays.stream(referenceSe).map(e -> e * e).average().orElse(0);
        return Math.sqrt(Math.max(0, e2 - s2));
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
        sb.append("\n| model | space | budget | evaluations (mean) | rel L2 mean | p50 | p90 | max | share <= 0.05 | mean, reference noise out | RMS | RMS, reference noise out | Spearman mean | min | ms |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (ShapRow r : shap) {
            sb.append(String.format(Locale.ROOT, "| %s/%d | %s | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.0f %% | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f |%n",
                    r.model(), r.version(), r.space(), r.budget() + (r.defaultBudgetFactor() == 1 ? ""
                            : " (default x" + multiple(r.defaultBudgetFactor()) + ")"), r.meanEvaluations(), r.meanRelL2(), r.p50RelL2(), r.p90RelL2(),
                    r.maxRelL2(), 100 * r.shareWithin005(), r.ownMeanRelL2(), r.rmsRelL2(), r.ownRmsRelL2(),
                    r.meanSpearman(), r.minSpearman(),
                    r.meanMs()));
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
