package dev.fmnist.benchmarks;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.KernelShapExplainer;
import dev.fmnist.xai.LimeExplainer;
import dev.fmnist.xai.MaskedScorer;
import dev.fmnist.xai.OutputSpace;
import dev.fmnist.xai.Segmentation;
import dev.fmnist.xai.Segments;
import dev.fmnist.xai.ShapleyValues;
import dev.fmnist.xai.StableHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Which segmentation LIME and KernelSHAP should perturb (issue 18, item 4), measured per model and
 * segmentation on the images of {@code --images-file} (validation images, not the test set):
 *
 * <ul>
 *   <li><b>faithfulness</b>: deletion curves in probability space, segments removed (set to 0) in the
 *   order of KernelSHAP's and LIME's weights, highest first, and in {@code --random-orders} random
 *   orders; x is the share of the image's non-zero pixels removed (not of segments, so that
 *   segmentations of different sizes are compared on the same axis), the area by trapezoids. The
 *   figure is the ratio of the method's area to the random orders' mean area (lower is more faithful;
 *   1 is no better than chance);</li>
 *   <li><b>LIME's weighted R^2</b> of its surrogate;</li>
 *   <li><b>KernelSHAP's relative L2 error</b> at the default budget against reference Shapley values of
 *   the same log-odds game, on the first {@code --reference-images} images: exact by enumeration up to
 *   {@value ShapleyAccuracy#EXACT_MAX} non-null segments, else a permutation estimate with antithetic
 *   pairs, run to a relative SE of {@code --reference-se} or about {@code --reference-seconds} of model
 *   calls (its mean relative SE is reported);</li>
 *   <li><b>cost</b>: ms of the segmentation, LIME and KernelSHAP per image, one thread.</li>
 * </ul>
 *
 * <p>The choice: the segmentation with the lowest KernelSHAP deletion ratio (mean over the models)
 * among those whose LIME + KernelSHAP time is at most {@code --cost-budget} times the 4x4 grid's
 * (mean over the models) and whose KernelSHAP error, for every model, is at most the larger of
 * {@code --max-shap-error} (default 0.05, issue 18's target) and the 4x4 grid's error for that model:
 * a segmentation may not make KernelSHAP less accurate than the grid unless it meets the target.
 *
 * <p>Usage: {@code SegmentationChoice --images-file validation.bin [--images 200] [--model lenet=lenet.onnx]
 * [--model xgboost=model.ubj] [--train-xgboost N] [--segmentations grid4,grid3,slic50,slic50c0.2]
 * [--random-orders 4] [--reference-images 50] [--reference-se 0.02] [--reference-seconds 1]
 * [--cost-budget 1.5] [--max-shap-error 0.05] [--rows-from A.json,B.json] [--md FILE] [--json FILE]}. A segmentation is {@code gridN}
 * (cells of N x N pixels), {@code slicN} (about N SLIC superpixels, default compactness) or
 * {@code slicNcC} (compactness C). {@code --train-xgboost N} trains an XGBoost model (40 rounds, depth 4)
 * on N training images, leaving out every image of the images file.
 */
public final class SegmentationChoice {
    static final String DEFAULT_SEGMENTATIONS = "grid4,grid3,grid2,slic30,slic50";

    /** One model and segmentation over all images. */
    public record Row(String model, String segmentation, int images, double segments, double nonNullSegments,
                      double shapDeletion, double limeDeletion, double randomDeletion, double shapDeletionRatio,
                      double limeDeletionRatio, double shapBeatsRandom, double limeR2, double limeR2p10,
                      int referenceImages, int exactReferences, double referenceRelSe, double shapRelL2,
                      double shapRelL2p90, double segmentationMs, double limeMs, double shapMs,
                      double shapEvaluations) {
        double explainMs() {
            return limeMs + shapMs;
        }
    }

    public static void main(String[] args) throws Exception {
        int n = 200;
        Path imagesFile = null;
        Map<String, Path> files = new LinkedHashMap<>();
        int trainXgboost = 0;
        List<String> specs = List.of(DEFAULT_SEGMENTATIONS.split(","));
        int randomOrders = 4;
        int referenceImages = 50;
        double referenceSe = 0.02;
        double referenceSeconds = 1;
        double costBudget = 1.5;
        double maxShapError = 0.05;
        String rowsFrom = null;
        Path md = null;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> n = Integer.parseInt(args[++i]);
                case "--images-file" -> imagesFile = Path.of(args[++i]);
                case "--model" -> {
                    String[] kv = args[++i].split("=", 2);
                    files.put(kv[0], Path.of(kv[1]));
                }
                case "--train-xgboost" -> trainXgboost = Integer.parseInt(args[++i]);
                case "--segmentations" -> specs = List.of(args[++i].split(","));
                case "--random-orders" -> randomOrders = Integer.parseInt(args[++i]);
                case "--reference-images" -> referenceImages = Integer.parseInt(args[++i]);
                case "--reference-se" -> referenceSe = Double.parseDouble(args[++i]);
                case "--reference-seconds" -> referenceSeconds = Double.parseDouble(args[++i]);
                case "--cost-budget" -> costBudget = Double.parseDouble(args[++i]);
                case "--max-shap-error" -> maxShapError = Double.parseDouble(args[++i]);
                case "--rows-from" -> rowsFrom = args[++i];
                case "--md" -> md = Path.of(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--images N, "
                        + "--images-file FILE, --model NAME=FILE.onnx|FILE.ubj, --train-xgboost N, --segmentations "
                        + "grid4,slic50c0.1, --random-orders N, --reference-images N, --reference-se X, "
                        + "--reference-seconds S, --cost-budget X, --max-shap-error X, --rows-from FILE.json, --md FILE, --json FILE)");
            }
        }
        if (imagesFile == null) {
            throw new IllegalArgumentException("--images-file is required: the choice is made on validation images "
                    + "(trainer-service's CnnFullTraining -Dcnn.validation-out=FILE writes 200 of them)");
        }
        LabelledImages images = ShapleyAccuracy.read(imagesFile).head(n);
        n = images.size();
        Map<String, Segmentation> segmentations = new LinkedHashMap<>();
        for (String spec : specs) {
            segmentations.put(spec.trim(), Segmentation.parse(spec));
        }
        ScorerOptions options = ScorerOptions.cpu().withThreads(1);
        List<ModelScorer> models = new ArrayList<>();
        for (Map.Entry<String, Path> f : files.entrySet()) {
            String format = f.getValue().toString().endsWith(".ubj") ? ModelPublished.FORMAT_XGBOOST_UBJ
                    : ModelPublished.FORMAT_ONNX;
            models.add(ModelScorers.open(f.getKey(), 0, format, Files.readAllBytes(f.getValue()), options));
        }
        if (trainXgboost > 0) {
            long t0 = System.nanoTime();
            byte[] ubj = trainXgboost(FashionMnist.load().train(), images, trainXgboost);
            System.out.printf(Locale.ROOT, "xgboost trained on %d training images in %.1f s%n", trainXgboost,
                    (System.nanoTime() - t0) / 1e9);
            models.add(ModelScorers.open("xgboost", 0, ModelPublished.FORMAT_XGBOOST_UBJ, ubj, options));
        }
        if (models.isEmpty() && rowsFrom == null) {
            throw new IllegalArgumentException("no model: --model NAME=FILE or --train-xgboost N");
        }
        List<Row> rows = new ArrayList<>();
        if (rowsFrom != null) {
            // the rows of earlier runs (other models or segmentations), so that one table and one choice cover all
            for (String file : rowsFrom.split(",")) {
                Row[] earlier = Json.mapper().treeToValue(Json.mapper().readTree(Path.of(file).toFile()).get("rows"),
                        Row[].class);
                rows.addAll(List.of(earlier));
            }
        }
        for (ModelScorer model : models) {
            try (model) {
                double accuracy = accuracy(model, images);
                System.out.printf(Locale.ROOT, "%s: accuracy %.3f on the %d images%n", model.name(), accuracy, n);
                for (Map.Entry<String, Segmentation> s : segmentations.entrySet()) {
                    Row row = measure(model, s.getKey(), s.getValue(), images, randomOrders,
                            Math.min(referenceImages, n), referenceSe, referenceSeconds);
                    rows.add(row);
                    System.out.println(markdownRow(row));
                }
            }
        }
        List<String> order = new ArrayList<>();
        for (Row r : rows) {
            if (!order.contains(r.model())) {
                order.add(r.model());
            }
        }
        rows.sort(java.util.Comparator.comparingInt(r -> order.indexOf(r.model()))); // stable: one model's rows together
        String choice = choose(rows, costBudget, maxShapError);
        String table = markdown(n + " images of " + imagesFile.getFileName(), randomOrders, referenceSe,
                referenceSeconds, rows) + "\n" + choice + "\n";
        System.out.println(table);
        if (md != null) {
            write(md, table.getBytes(StandardCharsets.UTF_8));
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("images", n);
            doc.put("imageSource", imagesFile.getFileName().toString());
            doc.put("randomOrders", randomOrders);
            doc.put("rows", rows);
            doc.put("choice", choice);
            doc.put("measuredAt", Instant.now().toString());
            write(json, Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        }
    }

    private static Row measure(ModelScorer model, String name, Segmentation segmentation, LabelledImages images,
                               int randomOrders, int referenceImages, double referenceSe, double referenceSeconds) {
        int n = images.size();
        ExplainerSettings settings = ExplainerSettings.defaults().withSegmentation(segmentation);
        model.warmUp(settings.batchSize());
        LimeExplainer lime = new LimeExplainer(settings);
        KernelShapExplainer shap = new KernelShapExplainer(settings);
        float[] first = Pixels.toModelInput(images.image(0));
        lime.explain(model, first, 0, 1); // warm-up
        Attribution warm = shap.explain(model, first, 0, 1);
        double evalSeconds = Math.max(1e-7, warm.elapsedMs() / 1000 / Math.max(1, warm.samples()));
        long cap = (long) (referenceSeconds / evalSeconds);
        double[] segments = new double[n];
        double[] players = new double[n];
        double[] shapDel = new double[n];
        double[] limeDel = new double[n];
        double[] randomDel = new double[n];
        double[] shapBeats = new double[n];
        double[] r2 = new double[n];
        double[] segMs = new double[n];
        double[] limeMs = new double[n];
        double[] shapMs = new double[n];
        double[] shapEvals = new double[n];
        double[] relL2 = new double[referenceImages];
        List<Double> refSe = new ArrayList<>();
        int exact = 0;
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int target = ModelScorers.argmax(model.score(x, 1), 0);
            long t0 = System.nanoTime();
            Segments seg = Segments.of(segmentation, x);
            segMs[i] = (System.nanoTime() - t0) / 1e6;
            segments[i] = seg.count();
            t0 = System.nanoTime();
            Attribution l = lime.explain(model, x, target, StableHash.seed("segmentation-" + i, "lime"));
            limeMs[i] = (System.nanoTime() - t0) / 1e6;
            r2[i] = l.limeR2() == null ? Double.NaN : l.limeR2();
            t0 = System.nanoTime();
            Attribution k = shap.explain(model, x, target, StableHash.seed("segmentation-" + i, "kernel_shap"));
            shapMs[i] = (System.nanoTime() - t0) / 1e6;
            shapEvals[i] = k.samples();

            MaskedScorer probability = MaskedScorer.of(model, x, target, settings.withOutputSpace(OutputSpace.PROBABILITY));
            int[] active = probability.activeSegments();
            players[i] = active.length;
            double[] pixelShare = pixelShares(seg, x, active);
            shapDel[i] = deletionArea(probability, pixelShare, order(k.segmentWeights(), active));
            limeDel[i] = deletionArea(probability, pixelShare, order(l.segmentWeights(), active));
            randomDel[i] = randomDeletionArea(probability, pixelShare, randomOrders,
                    new Random(StableHash.seed("segmentation-random-" + i, model.name())));
            shapBeats[i] = shapDel[i] < randomDel[i] ? 1 : 0;

            if (i < referenceImages) {
                MaskedScorer game = MaskedScorer.of(model, x, target, settings);
                double[] reference;
                if (game.players() <= ShapleyAccuracy.EXACT_MAX) {
                    reference = game.toSegments(ShapleyValues.exact(game, settings.batchSize()));
                    exact++;
                } else {
                    ShapleyValues.Estimate e = ShapleyValues.permutation(game, referenceSe, 50, 100, cap,
                            StableHash.seed("segmentation-reference-" + i, model.name()));
                    reference = game.toSegments(e.values());
                    refSe.add(e.relativeStandardError());
                }
                relL2[i] = ShapleyAccuracy.relativeL2(k.segmentWeights(), reference);
            }
            if ((i + 1) % 50 == 0) {
                System.out.printf(Locale.ROOT, "  %s %s: %d images%n", model.name(), name, i + 1);
            }
        }
        double randomMean = ShapleyAccuracy.mean(randomDel);
        return new Row(model.name(), name, n, ShapleyAccuracy.mean(segments), ShapleyAccuracy.mean(players),
                ShapleyAccuracy.mean(shapDel), ShapleyAccuracy.mean(limeDel), randomMean,
                ShapleyAccuracy.mean(shapDel) / randomMean, ShapleyAccuracy.mean(limeDel) / randomMean,
                ShapleyAccuracy.mean(shapBeats), ShapleyAccuracy.mean(r2), ShapleyAccuracy.quantile(r2, 0.1),
                referenceImages, exact, refSe.isEmpty() ? 0 : refSe.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                referenceImages == 0 ? Double.NaN : ShapleyAccuracy.mean(relL2),
                referenceImages == 0 ? Double.NaN : ShapleyAccuracy.quantile(relL2, 0.9),
                ShapleyAccuracy.mean(segMs), ShapleyAccuracy.mean(limeMs), ShapleyAccuracy.mean(shapMs),
                ShapleyAccuracy.mean(shapEvals));
    }

    /** Each player's share of the image's non-zero pixels (a player has at least one). */
    static double[] pixelShares(Segments seg, float[] image, int[] active) {
        int[] nonZero = new int[seg.count()];
        int total = 0;
        for (int p = 0; p < Pixels.COUNT; p++) {
            if (image[p] != MaskedScorer.FILL) {
                nonZero[seg.ids()[p]]++;
                total++;
            }
        }
        double[] share = new double[active.length];
        for (int i = 0; i < active.length; i++) {
            share[i] = (double) nonZero[active[i]] / total;
        }
        return share;
    }

    /** Players by descending segment weight, ties in player order. */
    static int[] order(float[] segmentWeights, int[] active) {
        Integer[] idx = new Integer[active.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Float.compare(segmentWeights[active[b]], segmentWeights[active[a]]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    /** The mean {@link #deletionArea} over {@code orders} random orders of the players, drawn from {@code random}. */
    static double randomDeletionArea(MaskedScorer probability, double[] pixelShare, int orders, Random random) {
        double sum = 0;
        for (int r = 0; r < orders; r++) {
            sum += deletionArea(probability, pixelShare, randomOrder(pixelShare.length, random));
        }
        return sum / orders;
    }

    static int[] randomOrder(int k, Random random) {
        int[] o = new int[k];
        for (int i = 0; i < k; i++) {
            o[i] = i;
        }
        for (int i = k - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /**
     * The area under the target class's probability as the players are removed in {@code order}, over x =
     * the share of non-zero pixels removed so far (trapezoids between uneven steps).
     */
    static double deletionArea(MaskedScorer probability, double[] pixelShare, int[] order) {
        int k = order.length;
        boolean[][] masks = new boolean[k + 1][];
        boolean[] visible = new boolean[k];
        Arrays.fill(visible, true);
        masks[0] = visible.clone();
        for (int step = 1; step <= k; step++) {
            visible[order[step - 1]] = false;
            masks[step] = visible.clone();
        }
        double[] v = probability.values(masks);
        return area(v, pixelShare, order);
    }

    static double area(double[] values, double[] pixelShare, int[] order) {
        if (order.length == 0) {
            return values[0];
        }
        double a = 0;
        for (int step = 1; step < values.length; step++) {
            a += pixelShare[order[step - 1]] * (values[step - 1] + values[step]) / 2;
        }
        return a;
    }

    /** An XGBoost {@code multi:softprob} model on the first {@code count} training images that are not among {@code heldOut}. */
    static byte[] trainXgboost(LabelledImages train, LabelledImages heldOut, int count) {
        Set<String> excluded = new HashSet<>();
        for (int i = 0; i < heldOut.size(); i++) {
            excluded.add(Arrays.toString(heldOut.image(i)));
        }
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < train.size() && chosen.size() < count; i++) {
            if (!excluded.contains(Arrays.toString(train.image(i)))) {
                chosen.add(i);
            }
        }
        LabelledImages set = train.select(chosen.stream().mapToInt(Integer::intValue).toArray());
        int m = set.size();
        float[] x = set.modelInput();
        float[] y = new float[m];
        for (int i = 0; i < m; i++) {
            y[i] = set.label(i);
        }
        DMatrix data = null;
        Booster booster = null;
        try {
            data = new DMatrix(x, m, Pixels.COUNT, Float.NaN);
            data.setLabel(y);
            Map<String, Object> params = new HashMap<>();
            params.put("objective", "multi:softprob");
            params.put("num_class", FashionClass.COUNT);
            params.put("tree_method", "hist");
            params.put("max_depth", 4);
            params.put("eta", 0.3);
            params.put("nthread", 2);
            params.put("seed", 42);
            booster = XGBoost.train(data, params, 40, new HashMap<>(), null, null);
            return booster.toByteArray("ubj");
        } catch (XGBoostError e) {
            throw new IllegalStateException("training the XGBoost model failed: " + e.getMessage(), e);
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            if (data != null) {
                data.dispose();
            }
        }
    }

    private static double accuracy(ModelScorer model, LabelledImages images) {
        float[] p = model.score(images.modelInput(), images.size());
        int right = 0;
        for (int i = 0; i < images.size(); i++) {
            right += ModelScorers.argmax(p, i) == images.label(i) ? 1 : 0;
        }
        return (double) right / images.size();
    }

    /**
     * The rule of the class comment, written out with its figures: the cost and error limits, which
     * segmentations pass them, and the one with the lowest KernelSHAP deletion ratio.
     */
    static String choose(List<Row> rows, double costBudget, double maxShapError) {
        Map<String, List<Row>> bySegmentation = new LinkedHashMap<>();
        Map<String, Double> gridError = new HashMap<>();
        for (Row r : rows) {
            bySegmentation.computeIfAbsent(r.segmentation(), s -> new ArrayList<>()).add(r);
            if (r.segmentation().equals("grid4")) {
                gridError.put(r.model(), r.shapRelL2());
            }
        }
        List<Row> grid = bySegmentation.get("grid4");
        double gridCost = grid == null ? Double.NaN : grid.stream().mapToDouble(Row::explainMs).average().orElse(Double.NaN);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Choice: the lowest KernelSHAP deletion ratio (mean over the models) among "
                + "the segmentations with LIME + KernelSHAP at most %.1f x the 4x4 grid's time (%.1f ms, mean over the "
                + "models) and, for every model, KernelSHAP rel L2 at most the larger of %.2f and the 4x4 grid's.%n%n",
                costBudget, gridCost, maxShapError));
        String best = null;
        double bestRatio = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, List<Row>> e : bySegmentation.entrySet()) {
            double cost = e.getValue().stream().mapToDouble(Row::explainMs).average().orElse(Double.NaN);
            double ratio = e.getValue().stream().mapToDouble(Row::shapDeletionRatio).average().orElse(Double.NaN);
            double area = e.getValue().stream().mapToDouble(Row::shapDeletion).average().orElse(Double.NaN);
            boolean withinCost = Double.isNaN(gridCost) || cost <= costBudget * gridCost;
            boolean withinError = true;
            StringBuilder errors = new StringBuilder();
            for (Row r : e.getValue()) {
                double limit = Math.max(maxShapError, gridError.getOrDefault(r.model(), 0.0));
                boolean ok = Double.isNaN(r.shapRelL2()) || r.shapRelL2() <= limit;
                withinError &= ok;
                errors.append(String.format(Locale.ROOT, "%s%s %.3f%s", errors.length() == 0 ? "" : ", ", r.model(),
                        r.shapRelL2(), ok ? "" : String.format(Locale.ROOT, " > %.3f", limit)));
            }
            sb.append(String.format(Locale.ROOT, "- %s: deletion ratio %.3f (area %.3f), %.1f ms (%s), KernelSHAP rel L2 "
                            + "%s (%s)%n", e.getKey(), ratio, area, cost, withinCost ? "within budget" : "over budget",
                    errors, withinError ? "ok" : "less accurate than allowed"));
            if (withinCost && withinError && ratio < bestRatio) {
                bestRatio = ratio;
                best = e.getKey();
            }
        }
        sb.append(String.format(Locale.ROOT, "%n**Chosen: %s**%n", best == null ? "none passes" : best));
        return sb.toString();
    }

    static String markdown(String source, int randomOrders, double referenceSe, double referenceSeconds, List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Segmentations measured on %s (validation), per model; default settings "
                + "(log-odds, LIME 1,000 samples, KernelSHAP 2k + 2048 evaluations), one thread. Deletion: area under "
                + "the class probability as segments are removed in order of the weights, over the share of non-zero "
                + "pixels removed; ratio = area / mean area of %d random orders (lower = more faithful). KernelSHAP "
                + "rel L2 against exact Shapley values (up to %d non-null segments) or a permutation reference (to a "
                + "relative SE of %.3f or about %.1f s of model calls) on the first images (column 'ref').%n%n",
                source, randomOrders, ShapleyAccuracy.EXACT_MAX, referenceSe, referenceSeconds));
        sb.append("| model | segmentation | segments | non-null | deletion SHAP | LIME | random | ratio SHAP | ratio LIME "
                + "| SHAP < random | LIME R^2 | p10 | ref (exact) | ref rel SE | SHAP rel L2 | p90 | ms seg | ms LIME "
                + "| ms SHAP | SHAP evals |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                + "| ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            sb.append(markdownRow(r)).append('\n');
        }
        return sb.toString();
    }

    static String markdownRow(Row r) {
        return String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f %% | %.3f "
                        + "| %.3f | %d (%d) | %.3f | %.3f | %.3f | %.2f | %.1f | %.1f | %.0f |",
                r.model(), r.segmentation(), r.segments(), r.nonNullSegments(), r.shapDeletion(), r.limeDeletion(),
                r.randomDeletion(), r.shapDeletionRatio(), r.limeDeletionRatio(), 100 * r.shapBeatsRandom(),
                r.limeR2(), r.limeR2p10(), r.referenceImages(), r.exactReferences(), r.referenceRelSe(),
                r.shapRelL2(), r.shapRelL2p90(), r.segmentationMs(), r.limeMs(), r.shapMs(), r.shapEvaluations());
    }

    private static void write(Path file, byte[] bytes) throws java.io.IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.write(file, bytes);
    }

    private SegmentationChoice() {
    }
}
