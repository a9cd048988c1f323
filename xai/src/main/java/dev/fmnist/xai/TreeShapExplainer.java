package dev.fmnist.xai;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.XgboostScorer;

/**
 * Exact TreeSHAP of an XGBoost model ({@link XgboostScorer#contributions}, XGBoost's
 * {@code predictContrib}): one value per pixel for the target class, summed per segment of the
 * configured segmentation into the segment weights.
 *
 * <p><b>Output space.</b> XGBoost's TreeSHAP values are exact in margin space, per class: the raw
 * scores z_j before the softmax, {@code z_j = bias_j + sum_p phi_jp}. The methods of a model explain
 * one quantity ({@link OutputSpace}); here only {@link OutputSpace#LOG_ODDS}, the centred
 * log-probability {@code log p_c - mean_j log p_j = z_c - mean_j z_j}, which is linear in the
 * margins: since Shapley values are linear in the game, its values are {@code phi_cp - mean_j
 * phi_jp} per pixel, its base value {@code bias_c - mean_j bias_j} and f(x) {@code z_c - mean_j z_j},
 * exact (efficiency gap at float precision). The probability is not linear in the margins, so
 * TreeSHAP has no exact values in {@link OutputSpace#PROBABILITY}: an explanation asked in it
 * fails (the service rejects the configuration at start-up).
 *
 * <p>The base value is TreeSHAP's: the model's expected output over its training data (the
 * trees' cover), not the output for a blank image as KernelSHAP's. The deletion curve, like
 * every method's, is in the same space. No randomness: the seed is not used.
 */
public final class TreeShapExplainer extends SegmentExplainer {
    public TreeShapExplainer(ExplainerSettings settings) {
        super(settings);
    }

    @Override
    public String name() {
        return ExplanationStored.TREE_SHAP;
    }

    /** Only XGBoost models: TreeSHAP reads the trees. */
    @Override
    public boolean supports(ModelScorer model) {
        return model instanceof XgboostScorer;
    }

    /** @param seed not used: TreeSHAP is exact */
    @Override
    Attribution attribute(ModelScorer model, float[] image, int targetClass, long seed, Segments segments,
                          MaskedScorer scorer, long start) {
        if (!(model instanceof XgboostScorer booster)) {
            throw new IllegalArgumentException("tree_shap explains XGBoost models only, not " + model);
        }
        if (scorer.outputSpace() != OutputSpace.LOG_ODDS) {
            throw new IllegalArgumentException("tree_shap is exact in log_odds space only (the centred margins), not in "
                    + scorer.outputSpace().column() + " space");
        }
        int classes = ModelScorer.OUTPUT_SIZE;
        int row = Pixels.COUNT + 1;
        float[] contributions = booster.contributions(image, 1);
        double[] pixelValues = new double[Pixels.COUNT];
        float[] pixels = new float[Pixels.COUNT];
        for (int p = 0; p < Pixels.COUNT; p++) {
            double mean = 0;
            for (int j = 0; j < classes; j++) {
                mean += contributions[j * row + p];
            }
            pixelValues[p] = contributions[targetClass * row + p] - mean / classes;
            pixels[p] = (float) pixelValues[p];
        }
        double[] biases = new double[classes];
        double[] margins = new double[classes];
        float[] rawMargins = booster.margins(image, 1);
        for (int j = 0; j < classes; j++) {
            biases[j] = contributions[j * row + Pixels.COUNT];
            margins[j] = rawMargins[j];
        }
        double base = OutputSpace.centred(biases, targetClass);
        double full = OutputSpace.centred(margins, targetClass);
        float[] segmentWeights = Explanations.toFloats(segments.sum(pixelValues));
        // one image through the booster (its contributions and its margins)
        int samples = 1;
        return Explanations.assemble(name(), settings.segmentation(), targetClass, scorer, segmentWeights, pixels, base, full, null, null,
                Explanations.efficiencyGap(segmentWeights, base, full), samples, start);
    }
}
