package dev.fmnist.common.messaging;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import java.time.Instant;

/**
 * One model's score of one image, the value of {@code fmnist.predictions}.
 *
 * @param image     base64 of the 784 uint8 pixels after preprocessing (what the model saw)
 * @param trueLabel the label the request carried, if any
 */
public record Prediction(String requestId, ModelRef model, int label, String className, float[] probabilities,
                         String image, Instant scoredAt, double latencyMs, boolean explain,
                         Integer trueLabel) implements Validated {

    /** Tolerance of the probability sum (float32 softmax). */
    public static final double SUM_TOLERANCE = 1e-3;

    @Override
    public void validate() {
        Validated.requireRequestAndModel(requestId, model);
        if (!FashionClass.isValidLabel(label)) {
            throw InvalidMessageException.field("label must be 0..9, got " + label);
        }
        if (className == null || !className.equals(FashionClass.ofLabel(label).displayName())) {
            throw InvalidMessageException.field("className '" + className + "' does not name label " + label);
        }
        if (probabilities == null || probabilities.length != FashionClass.COUNT) {
            throw InvalidMessageException.field("probabilities must hold " + FashionClass.COUNT + " values, got "
                    + (probabilities == null ? "none" : probabilities.length));
        }
        double sum = 0;
        for (float p : probabilities) {
            if (!(p >= 0f && p <= 1f)) {
                throw InvalidMessageException.field("probability " + p + " is outside [0, 1]");
            }
            sum += p;
        }
        if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
            throw InvalidMessageException.field("probabilities sum to " + sum + ", not 1");
        }
        if (image == null) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_IMAGE, "image is missing");
        }
        try {
            Pixels.fromBase64(image);
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_IMAGE,
                    "image must be base64 of 784 pixels: " + e.getMessage(), e);
        }
        if (trueLabel != null && !FashionClass.isValidLabel(trueLabel)) {
            throw InvalidMessageException.field("trueLabel must be 0..9, got " + trueLabel);
        }
        if (!Double.isFinite(latencyMs) || latencyMs < 0) {
            throw InvalidMessageException.field("latencyMs must be a finite non-negative number, got " + latencyMs);
        }
    }

    /** The 784 pixels the model scored. */
    public byte[] pixels() {
        return Pixels.fromBase64(image);
    }
}
