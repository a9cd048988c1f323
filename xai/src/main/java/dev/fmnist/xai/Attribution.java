package dev.fmnist.xai;

/**
 * One explanation of one model's score of one image, as stored in {@code xai.explanation}.
 *
 * <p>Every array is row-major over the 28x28 image. Methods that work on segments (LIME,
 * KernelSHAP) spread each segment's weight evenly over its pixels in {@code attributions}, so
 * that maps of different methods are comparable; TreeSHAP works per pixel and then sums its
 * pixels per segment into {@code segmentWeights}.
 *
 * @param method          {@code lime}, {@code kernel_shap} or {@code tree_shap}
 * @param targetClass     the explained class (the predicted one)
 * @param segments        784 segment ids, 0..{@code segmentWeights.length - 1}
 * @param segmentWeights  one weight per segment
 * @param attributions    784 per-pixel weights
 * @param baseValue       the model's output with every segment hidden (KernelSHAP), its expected output over the
 *                        training data (TreeSHAP), or the surrogate's intercept (LIME)
 * @param fullValue       the model's output for the explained class on the whole image, f(x)
 * @param intercept       LIME's surrogate intercept, else null
 * @param limeR2          LIME's weighted R^2 of the surrogate, else null
 * @param efficiencyGap   SHAP's {@code |sum(phi) + base - f(x)|}, else null
 * @param deletionCurve   f(x) for the explained class after removing 0, 1, ... segments in order of attribution
 * @param deletionArea    normalised area under {@code deletionCurve} (lower means a more faithful map)
 * @param samples         model evaluations spent
 * @param elapsedMs       wall time of the explanation
 * @param outputSpace     what {@code segmentWeights}, {@code attributions}, {@code baseValue}, {@code fullValue},
 *                        {@code intercept}, {@code efficiencyGap} and {@code deletionCurve} are in
 * @param segmentation    the {@link Segmentation#name()} that gave {@code segments} ({@code grid4}, {@code slic50c0.5});
 *                        null when not known
 */
public record Attribution(String method, int targetClass, short[] segments, float[] segmentWeights,
                          float[] attributions, double baseValue, double fullValue, Double intercept,
                          Double limeR2, Double efficiencyGap, float[] deletionCurve, double deletionArea,
                          int samples, double elapsedMs,
                          OutputSpace outputSpace, String segmentation) {

    /** An attribution whose segmentation is not named. */
    public Attribution(String method, int targetClass, short[] segments, float[] segmentWeights, float[] attributions,
                       double baseValue, double fullValue, Double intercept, Double limeR2, Double efficiencyGap,
                       float[] deletionCurve, double deletionArea, int samples, double elapsedMs,
                       OutputSpace outputSpace) {
        this(method, targetClass, segments, segmentWeights, attributions, baseValue, fullValue, intercept, limeR2,
                efficiencyGap, deletionCurve, deletionArea, samples, elapsedMs, outputSpace, null);
    }
}
