package dev.fmnist.benchmarks;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.KernelShapExplainer;
import dev.fmnist.xai.LimeAndKernelShap;
import dev.fmnist.xai.LimeExplainer;
import dev.fmnist.xai.StableHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many masks of its own LIME needs when it shares KernelSHAP's evaluations ({@link LimeAndKernelShap},
 * issue 18, item 6), measured on the images of {@code --images-file} (validation images, not the test set).
 *
 * <p>Ground truth: LIME's converged surrogate, the reference's objective (1,000 masks, ridge alpha 1)
 * estimated from {@code --converged} masks (the ridge penalty scaled by the mask count, so that it weighs
 * as much against the data as with 1,000). Per image and candidate: the relative L2 distance of LIME's
 * segment weights to the converged ones, Spearman over the non-null segments, R^2, model evaluations and
 * ms. Candidates: the reference (1,000 own masks, alone), and the pair with {@code --own} masks. KernelSHAP
 * in the pair is checked to give exactly the values it gives alone.
 *
 * <p>Usage: {@code SharedSamplesChoice --images-file FILE --model NAME=FILE.onnx [--images 100]
 * [--own 1,100,200,400] [--converged 40000] [--md FILE]}.
 */
public final class SharedSamplesChoice {

    /** One candidate over all images. */
    public record Row(String model, String candidate, int images, double evaluations, double meanRelL2, double p90RelL2,
                      double meanSpearman, double meanR2, double ms) {
    }

    public static void main(String[] args) throws Exception {
        Path imagesFile = null;
        Map<String, Path> files = new LinkedHashMap<>();
        int n = 100;
        int converged = 40_000;
        int[] own = {1, 100, 200, 400};
        Path md = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images-file" -> imagesFile = Path.of(args[++i]);
                case "--images" -> n = Integer.parseInt(args[++i]);
                case "--converged" -> converged = Integer.parseInt(args[++i]);
                case "--own" -> own = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--md" -> md = Path.of(args[++i]);
                case "--model" -> {
                    String[] kv = args[++i].split("=", 2);
                    files.put(kv[0], Path.of(kv[1]));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--images-file FILE, --model NAME=FILE.onnx, --images N, --own a,b, --converged N, --md FILE)");
            }
        }
        if (imagesFile == null || files.isEmpty()) {
            throw new IllegalArgumentException("--images-file (validation images) and at least one --model are required");
        }
        LabelledImages images = ShapleyAccuracy.read(imagesFile).head(n);
        n = images.size();
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Path> f : files.entrySet()) {
            try (ModelScorer model = ExplanationCost.open(f.getKey(), f.getValue(), ScorerOptions.cpu().withThreads(1)).orElseThrow()) {
                rows.addAll(measure(model, images, n, converged, own));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "LIME beside KernelSHAP: distance to LIME's converged surrogate (%,d masks), "
                + "%d images of %s, one thread%n%n", converged, n, imagesFile.getFileName()));
        sb.append("| model | LIME | model evaluations, LIME + KernelSHAP | rel L2 to converged, mean | p90 | Spearman | R^2 | ms, LIME + KernelSHAP |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.1f |%n", r.model(),
                    r.candidate(), r.evaluations(), r.meanRelL2(), r.p90RelL2(), r.meanSpearman(), r.meanR2(), r.ms()));
        }
        System.out.println(sb);
        if (md != null) {
            Files.writeString(md, sb.toString());
        }
    }

    private static List<Row> measure(ModelScorer model, LabelledImages images, int n, int converged, int[] own) {
        ExplainerSettings settings = ExplainerSettings.defaults();
        model.warmUp(settings.batchSize());
        int reference = settings.limeSamples();
        // the converged surrogate: the reference objective from many masks, its ridge penalty scaled with them
        LimeExplainer truth = new LimeExplainer(settings.withLimeSamples(converged)
                .withRidgeAlpha(settings.ridgeAlpha() * (converged - 1) / (reference - 1)));
        LimeExplainer alone = new LimeExplainer(settings);
        KernelShapExplainer shap = new KernelShapExplainer(settings);
        int candidates = own.length + 1;
        double[][] err = new double[candidates][n];
        double[][] rho = new double[candidates][n];
        double[][] r2 = new double[candidates][n];
        double[][] evals = new double[candidates][n];
        double[][] ms = new double[candidates][n];
        LimeAndKernelShap[] pairs = new LimeAndKernelShap[own.length];
        for (int c = 0; c < own.length; c++) {
            pairs[c] = new LimeAndKernelShap(settings, own[c]);
        }
        float[] warm = Pixels.toModelInput(images.image(0));
        alone.explain(model, warm, 0, 1);
        pairs[0].explain(model, warm, 0, 1, 2);
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int target = ModelScorers.argmax(model.score(x, 1), 0);
            long limeSeed = StableHash.seed("shared-" + i, "lime");
            long shapSeed = StableHash.seed("shared-" + i, "kernel_shap");
            Attribution t = truth.explain(model, x, target, StableHash.seed("converged-" + i, "lime"));
            long t0 = System.nanoTime();
            Attribution l = alone.explain(model, x, target, limeSeed);
            Attribution s = shap.explain(model, x, target, shapSeed);
            ms[0][i] = (System.nanoTime() - t0) / 1e6;
            record(0, i, l, t, err, rho, r2);
            evals[0][i] = l.samples() + s.samples();
            for (int c = 0; c < own.length; c++) {
                t0 = System.nanoTime();
                LimeAndKernelShap.Pair p = pairs[c].explain(model, x, target, limeSeed, shapSeed);
                ms[c + 1][i] = (System.nanoTime() - t0) / 1e6;
                record(c + 1, i, p.lime(), t, err, rho, r2);
                evals[c + 1][i] = own[c] - 1 + p.kernelShap().samples();
                if (!Arrays.equals(p.kernelShap().segmentWeights(), s.segmentWeights())) {
                    float d = 0;
                    for (int j = 0; j < s.segmentWeights().length; j++) {
                        d = Math.max(d, Math.abs(s.segmentWeights()[j] - p.kernelShap().segmentWeights()[j]));
                    }
                    System.out.printf(Locale.ROOT, "  note: image %d, KernelSHAP in the pair differs from alone by up to %.2e "
                            + "(batches of other images change float rounding)%n", i, d);
                }
            }
            StringBuilder line = new StringBuilder();
            for (int c = 1; c < candidates; c++) {
                line.append(String.format(Locale.ROOT, " %.3f", err[c][i]));
            }
            System.out.printf(Locale.ROOT, "%s image %3d: LIME rel L2 to converged, reference %.3f, in the pair%s%n",
                    model.name(), i, err[0][i], line);
        }
        List<Row> out = new ArrayList<>();
        for (int c = 0; c < candidates; c++) {
            String name = c == 0 ? "alone, " + reference + " masks (the reference)" : "in the pair, " + own[c - 1] + " own masks";
            out.add(new Row(model.name(), name, n, ShapleyAccuracy.mean(evals[c]), ShapleyAccuracy.mean(err[c]),
                    ShapleyAccuracy.quantile(err[c], 0.9), ShapleyAccuracy.mean(rho[c]), ShapleyAccuracy.mean(r2[c]),
                    ShapleyAccuracy.mean(ms[c])));
        }
        return out;
    }

    private static void record(int c, int i, Attribution a, Attribution truth, double[][] err, double[][] rho, double[][] r2) {
        double[] ref = new double[truth.segmentWeights().length];
        int nonNull = 0;
        for (int j = 0; j < ref.length; j++) {
            ref[j] = truth.segmentWeights()[j];
            nonNull += ref[j] != 0 ? 1 : 0;
        }
        int[] active = new int[nonNull];
        for (int j = 0, k = 0; j < ref.length; j++) {
            if (ref[j] != 0) {
                active[k++] = j;
            }
        }
        err[c][i] = ShapleyAccuracy.relativeL2(a.segmentWeights(), ref);
        rho[c][i] = ShapleyAccuracy.nonNullSpearman(a.segmentWeights(), ref, active);
        r2[c][i] = a.limeR2();
    }
}
