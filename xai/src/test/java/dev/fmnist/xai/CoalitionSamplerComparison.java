package dev.fmnist.xai;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.runtime.scoring.OnnxCnnScorer;
import dev.fmnist.runtime.scoring.ScorerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Manual measurement, not part of CI (the name matches neither *Test nor *IT): KernelSHAP's coalitions
 * within a size class drawn independently against cut from random permutations
 * ({@link KernelShapExplainer#stratifiedCoalitions}), on the same images, the same reference Shapley values
 * and several seeds each, so that the comparison is paired and the sampler's own noise averages out.
 * <pre>
 * mvn -o test -pl xai -Dtest=CoalitionSamplerComparison -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dsampler.model=lenet.onnx -Dsampler.images=validation.bin [-Dsampler.n=60] [-Dsampler.seeds=8] \
 *   [-Dsampler.budget-factor=1] [-Dsampler.reference-cap=300000]
 * </pre>
 * {@code validation.bin}: validation images as {@code CnnFullTraining -Dcnn.validation-out} writes them (784 pixels
 * each, then the labels), so the choice is made on validation, not test, images. The game is the explainer's
 * default: the 4x4 grid, log-odds, the default budget times {@code budget-factor}; the reference is exact up
 * to 16 non-null segments, else by permutation to a relative standard error of 0.02 (or the cap).
 */
class CoalitionSamplerComparison {

    @Test
    void compare() throws Exception {
        Path modelFile = Path.of(System.getProperty("sampler.model", "lenet.onnx"));
        byte[] raw = Files.readAllBytes(Path.of(System.getProperty("sampler.images", "validation.bin")));
        int available = raw.length / (Pixels.COUNT + 1);
        int n = Math.min(available, Integer.getInteger("sampler.n", 60));
        int seeds = Integer.getInteger("sampler.seeds", 8);
        double factor = Double.parseDouble(System.getProperty("sampler.budget-factor", "1"));
        long cap = Long.getLong("sampler.reference-cap", 300_000L);
        ExplainerSettings settings = ExplainerSettings.defaults().withOutputSpace(OutputSpace.LOG_ODDS)
                .withShapBudgetFactor(factor);
        double[] sumIndependent = new double[n];
        double[] sumBalanced = new double[n];
        try (OnnxCnnScorer model = new OnnxCnnScorer("model", 1, Files.readAllBytes(modelFile),
                ScorerOptions.cpu().withThreads(1))) {
            for (int i = 0; i < n; i++) {
                float[] x = Pixels.toModelInput(java.util.Arrays.copyOfRange(raw, i * Pixels.COUNT, (i + 1) * Pixels.COUNT));
                int target = argmax(model.score(x, 1));
                MaskedScorer game = MaskedScorer.of(model, x, target, settings);
                int k = game.players();
                double[] reference = k <= 16 ? ShapleyValues.exact(game, settings.batchSize())
                        : ShapleyValues.permutation(game, 0.02, 50, 100, cap, 1000L + i).values();
                double[] ends = game.targetValues(new boolean[][] {game.uniformMask(false), game.uniformMask(true)});
                int budget = settings.shapBudgetFor(k) - 2;
                for (int seed = 0; seed < seeds; seed++) {
                    for (boolean balanced : new boolean[] {false, true}) {
                        KernelShapExplainer.Coalitions plan = k <= KernelShapExplainer.EXACT_MAX_SEGMENTS
                                ? KernelShapExplainer.allCoalitions(k)
                                : KernelShapExplainer.stratifiedCoalitions(k, budget, 7919L * i + seed, balanced);
                        double[] phi = KernelShapExplainer.solve(plan, game.values(plan.masks()), ends[0], ends[1]);
                        double error = relativeL2(phi, reference);
                        if (balanced) {
                            sumBalanced[i] += error / seeds;
                        } else {
                            sumIndependent[i] += error / seeds;
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "image %3d: %2d players, rel L2 independent %.4f, balanced %.4f%n", i, k,
                        sumIndependent[i], sumBalanced[i]);
            }
        }
        double meanIndependent = mean(sumIndependent);
        double meanBalanced = mean(sumBalanced);
        double[] logRatio = new double[n];
        int wins = 0;
        for (int i = 0; i < n; i++) {
            logRatio[i] = Math.log(sumBalanced[i] / sumIndependent[i]);
            wins += sumBalanced[i] < sumIndependent[i] ? 1 : 0;
        }
        double m = mean(logRatio);
        double var = 0;
        for (double v : logRatio) {
            var += (v - m) * (v - m) / (n - 1);
        }
        System.out.printf(Locale.ROOT, "%d images x %d seeds, budget factor %s: rel L2 mean independent %.4f, balanced %.4f; "
                        + "balanced / independent per image (geometric mean) %.3f (95 %% CI %.3f-%.3f); balanced better on %d of %d%n",
                n, seeds, factor, meanIndependent, meanBalanced, Math.exp(m), Math.exp(m - 1.96 * Math.sqrt(var / n)),
                Math.exp(m + 1.96 * Math.sqrt(var / n)), wins, n);
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int c = 1; c < FashionClass.COUNT; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    private static double relativeL2(double[] estimate, double[] reference) {
        double d = 0, r = 0;
        for (int j = 0; j < reference.length; j++) {
            d += (estimate[j] - reference[j]) * (estimate[j] - reference[j]);
            r += reference[j] * reference[j];
        }
        return Math.sqrt(d / r);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
