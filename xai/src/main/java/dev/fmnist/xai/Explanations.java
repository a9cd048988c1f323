package dev.fmnist.xai;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.runtime.scoring.ModelScorer;

/** What the three methods share around their algorithm: argument checks and the assembly of the result. */
final class Explanations {
    private Explanations() {
    }

    static void requireImage(float[] image) {
        if (image == null || image.length != Pixels.COUNT) {
            throw new IllegalArgumentException("an image has " + Pixels.COUNT + " values (28x28), got "
                    + (image == null ? "none" : image.length));
        }
    }

    static void require(ModelScorer model, float[] image, int targetClass) {
        if (model == null) {
            throw new IllegalArgumentException("no model to explain");
        }
        requireImage(image);
        if (targetClass < 0 || targetClass >= FashionClass.COUNT) {
            throw new IllegalArgumentException("the target class must be 0 to " + (FashionClass.COUNT - 1) + ", got "
                    + targetClass);
        }
    }

    /** Per-segment weights as stored. */
    static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** SHAP's efficiency gap {@code |sum(phi) + base - f(x)|}, over the weights as stored (float). */
    static double efficiencyGap(float[] segmentWeights, double baseValue, double fullValue) {
        double sum = 0;
        for (float w : segmentWeights) {
            sum += w;
        }
        return Math.abs(sum + baseValue - fullValue);
    }

    /**
     * The stored explanation: measures the deletion curve of {@code segmentWeights} with the
     * explanation's own scorer, then stops the clock (started at {@code startNanos}, from
     * {@link System#nanoTime()}), so the elapsed time covers everything.
     *
     * @param samples the model evaluations of the method itself; the deletion curve's M + 1 are not counted
     * @param segmentation what gave the scorer's segments
     */
    static Attribution assemble(String method, Segmentation segmentation, int targetClass, MaskedScorer scorer,
                                float[] segmentWeights,
                                float[] attributions, double baseValue, double fullValue, Double intercept,
                                Double limeR2, Double efficiencyGap, int samples, long startNanos) {
        double[] weights = new double[segmentWeights.length];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = segmentWeights[i];
        }
        DeletionCurve curve = DeletionCurve.measure(scorer, weights);
        double elapsedMs = (System.nanoTime() - startNanos) / 1e6;
        return new Attribution(method, targetClass, scorer.segments().ids(), segmentWeights, attributions, baseValue,
                fullValue, intercept, limeR2, efficiencyGap, curve.values(), curve.area(), samples, elapsedMs,
                scorer.outputSpace(), segmentation.name());
    }
}
