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
 * <p>The values live in margin space, the target class's raw score before the softmax (log-odds
 * scale), not in probability space as those of LIME and KernelSHAP: {@code baseValue} is the bias,
 * the model's expected margin over its training data (not the margin of a blank image), and
 * {@code fullValue} is the margin of the image; the efficiency gap
 * {@code |sum(phi) + base - margin|} is computed in that space. The deletion curve, like every
 * method's, records probabilities. No randomness: the seed is not used.
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
        float[] contributions = booster.contributions(image, 1);
        int row = targetClass * (Pixels.COUNT + 1);
        float[] pixels = new float[Pixels.COUNT];
        double[] pixelValues = new double[Pixels.COUNT];
        for (int p = 0; p < Pixels.COUNT; p++) {
            pixels[p] = contributions[row + p];
            pixelValues[p] = pixels[p];
        }
        double bias = contributions[row + Pixels.COUNT];
        double margin = booster.margins(image, 1)[targetClass];
        float[] segmentWeights = Explanations.toFloats(segments.sum(pixelValues));
        // one image through the booster (its contributions and its margin)
        int samples = 1;
        return Explanations.assemble(name(), targetClass, scorer, segmentWeights, pixels, bias, margin, null, null,
                Explanations.efficiencyGap(segmentWeights, bias, margin), samples, start);
    }
}
