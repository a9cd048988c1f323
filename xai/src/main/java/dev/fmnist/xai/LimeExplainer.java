package dev.fmnist.xai;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * LIME for images, as the reference implementation ({@code lime_image.LimeImageExplainer}) does it
 * with {@code hide_color=0}: N masks that keep each segment with probability 1/2, the first one
 * keeping all; each masked image scored by the model for the target class; each sample weighted
 * by an exponential kernel of its cosine distance to the all-visible mask; a weighted ridge
 * regression of the target class's output (in the settings' {@link OutputSpace}: the probability,
 * as the reference, or the centred log-probability) on the masks, its intercept unpenalised.
 *
 * <p>Kernel: the reference applies {@code sqrt(exp(-d^2 / width^2))} to the cosine distance
 * between the binary mask and the all-ones vector, {@code d = 1 - sqrt(k / M)} for k of M segments
 * visible (d = 1 for the empty mask), with width 0.25; so the weight is {@code exp(-d^2 / (2
 * width^2))}. Its surrogate is scikit-learn's {@code Ridge(alpha=1)} fitted with these sample
 * weights, and its score is the weighted R^2 on the same samples: both are reproduced here.
 *
 * <p>Null segments (every pixel already 0, the hide value) are left out: hiding them changes no
 * pixel, so they are not features of the surrogate (M counts the others) and get exactly 0.
 *
 * <p>The segment weights are the surrogate's coefficients (change in the target output when a
 * segment is shown); {@code baseValue} and {@code intercept} are the surrogate's intercept,
 * {@code fullValue} is the model's output on the whole image, all in the output space.
 */
public final class LimeExplainer extends SegmentExplainer {
    public LimeExplainer(ExplainerSettings settings) {
        super(settings);
    }

    @Override
    public String name() {
        return ExplanationStored.LIME;
    }

    @Override
    Attribution attribute(ModelScorer model, float[] image, int targetClass, long seed, Segments segments,
                          MaskedScorer scorer, long start) {
        int m = scorer.players();
        boolean[][] masks = randomMasks(settings.limeSamples(), m, seed);
        double[] y = scorer.targetValues(masks);
        double[] sampling = new double[masks.length];
        Arrays.fill(sampling, 1);
        Surrogate fit = surrogate(masks, y, sampling, m, settings);
        double[] weights = scorer.toSegments(fit.coefficients());
        return Explanations.assemble(name(), settings.segmentation(), targetClass, scorer, Explanations.toFloats(weights),
                segments.spread(weights), fit.intercept(), y[0], fit.intercept(), fit.r2(), null, scorer.evaluations(), start);
    }

    /** LIME's weighted linear surrogate: intercept, one coefficient per player, weighted R^2 on its samples. */
    record Surrogate(double intercept, double[] coefficients, double r2) {
    }

    /**
     * Fits the surrogate to the masks and the model's outputs {@code y} on them: each sample weighted by the
     * reference kernel times {@code sampling[i]}, which is 1 for LIME's own samples when they are all there is
     * (the reference), and the importance weight of each sample when LIME reuses KernelSHAP's ({@link
     * LimeAndKernelShap}).
     */
    static Surrogate surrogate(boolean[][] masks, double[] y, double[] sampling, int m, ExplainerSettings settings) {
        double[] w = new double[masks.length];
        double[][] x = new double[masks.length][m];
        for (int i = 0; i < masks.length; i++) {
            int visible = 0;
            for (int j = 0; j < m; j++) {
                if (masks[i][j]) {
                    x[i][j] = 1;
                    visible++;
                }
            }
            w[i] = kernelWeight(visible, m, settings.kernelWidth()) * sampling[i];
        }
        double[] fit = WeightedLeastSquares.fit(x, y, w, settings.ridgeAlpha(), true);
        double intercept = fit[0];
        double[] coefficients = Arrays.copyOfRange(fit, 1, fit.length);
        return new Surrogate(intercept, coefficients, weightedR2(x, y, w, intercept, coefficients));
    }

    /** {@code n} masks over {@code m} segments, each segment visible with probability 1/2; the first shows all. */
    static boolean[][] randomMasks(int n, int m, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean[][] masks = new boolean[n][m];
        Arrays.fill(masks[0], true);
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < m; j++) {
                masks[i][j] = random.nextBoolean();
            }
        }
        return masks;
    }

    /**
     * The reference kernel on the cosine distance of a mask with {@code visible} of {@code m}
     * segments to the all-ones mask.
     */
    static double kernelWeight(int visible, int m, double width) {
        if (m == 0) {
            return 1; // a blank image: no features, every sample is the image itself
        }
        double d = 1 - Math.sqrt((double) visible / m);
        return Math.sqrt(Math.exp(-(d * d) / (width * width)));
    }

    /**
     * scikit-learn's {@code r2_score} with sample weights: {@code 1 - SS_res / SS_tot}, both
     * weighted, around the weighted mean; a constant target gives 1 when fitted exactly, else 0.
     */
    static double weightedR2(double[][] x, double[] y, double[] w, double intercept, double[] coefficients) {
        double weightSum = 0;
        double mean = 0;
        for (int i = 0; i < y.length; i++) {
            weightSum += w[i];
            mean += w[i] * y[i];
        }
        mean /= weightSum;
        double residual = 0;
        double total = 0;
        for (int i = 0; i < y.length; i++) {
            double predicted = intercept;
            for (int j = 0; j < coefficients.length; j++) {
                predicted += coefficients[j] * x[i][j];
            }
            residual += w[i] * (y[i] - predicted) * (y[i] - predicted);
            total += w[i] * (y[i] - mean) * (y[i] - mean);
        }
        if (total == 0) {
            return residual == 0 ? 1 : 0;
        }
        return 1 - residual / total;
    }
}
