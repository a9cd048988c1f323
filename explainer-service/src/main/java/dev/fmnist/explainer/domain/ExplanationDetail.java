package dev.fmnist.explainer.domain;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One stored explanation in full: the summary's fields, the 784 segment ids, the weight of each
 * segment, the 784 per-pixel attributions, the deletion curve, and the image (base64 of 784 uint8
 * pixels). The arrays are null for a failed explanation.
 */
public record ExplanationDetail(@JsonUnwrapped ExplanationSummary summary, short[] segments, float[] segmentWeights,
                                float[] attributions, float[] deletionCurve, String image) {
}
