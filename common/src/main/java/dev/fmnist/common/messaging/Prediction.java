package dev.fmnist.common.messaging;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.time.Instant;
import java.util.Base64;

/**
 * One model's score of one image, the value of {@code fmnist.predictions}
 * (docs/schemas/prediction.schema.json). Written by inference-service; one written by hand needs only
 * {@code requestId}, {@code model}, {@code label}, {@code probabilities} and {@code image}.
 *
 * @param className the label's class name; absent: derived from {@code label}
 * @param image     base64 of the 784 uint8 pixels after preprocessing (what the model saw)
 * @param scoredAt  absent: the Kafka record's timestamp
 * @param latencyMs absent: 0
 * @param explain   absent: false
 * @param trueLabel the label the request carried, if any
 */
public record Prediction(String requestId, ModelRef model, int label, String className, float[] probabilities,
                         String image, Instant scoredAt, double latencyMs, boolean explain,
                         Integer trueLabel) implements Validated {

    /** Tolerance of the probability sum (float32 softmax). */
    public static final double SUM_TOLERANCE = 1e-3;
    static final String PROBABILITIES = FashionClass.COUNT + " numbers in [0, 1] that sum to 1";
    static final String IMAGE = "base64 of 784 pixels (28x28 uint8)";
    static final String LATENCY = "a finite number >= 0";

    static Prediction read(JsonFields f, Instant received) {
        String requestId = f.string("requestId", Reason.INVALID_FIELD, ScoreRequest.ID, true);
        ModelRef model = ModelRef.read(f, "model");
        int label = f.integer("label", ScoreRequest.LABEL, true);
        String className = f.string("className", Reason.INVALID_FIELD, "the class name of the label", false);
        if (className == null && FashionClass.isValidLabel(label)) {
            className = FashionClass.ofLabel(label).displayName();
        }
        float[] probabilities = f.floats("probabilities", PROBABILITIES, true);
        String image = f.string("image", Reason.INVALID_IMAGE, IMAGE, true);
        Instant scoredAt = f.instant("scoredAt", false);
        Double latencyMs = f.number("latencyMs", LATENCY, false);
        Boolean explain = f.bool("explain", false);
        Integer trueLabel = f.integer("trueLabel", ScoreRequest.LABEL, false);
        return new Prediction(requestId, model, label, className, probabilities, image,
                scoredAt != null ? scoredAt : received, latencyMs == null ? 0 : latencyMs, explain != null && explain,
                trueLabel);
    }

    @Override
    public void validate() {
        Validated.requireRequestAndModel(requestId, model);
        if (!FashionClass.isValidLabel(label)) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "label", ScoreRequest.LABEL, Integer.toString(label));
        }
        String name = FashionClass.ofLabel(label).displayName();
        if (className == null || !className.equals(name)) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "className",
                    JsonFields.show(name) + " (the class of label " + label + ") or nothing", JsonFields.show(className));
        }
        if (probabilities == null) {
            throw InvalidMessageException.missing(Reason.INVALID_FIELD, "probabilities", PROBABILITIES);
        }
        if (probabilities.length != FashionClass.COUNT) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "probabilities", PROBABILITIES,
                    probabilities.length + " values");
        }
        double sum = 0;
        for (int i = 0; i < probabilities.length; i++) {
            float p = probabilities[i];
            if (!(p >= 0f && p <= 1f)) {
                throw InvalidMessageException.field(Reason.INVALID_FIELD, "probabilities", PROBABILITIES,
                        p + " at index " + i);
            }
            sum += p;
        }
        if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "probabilities", PROBABILITIES,
                    "values that sum to " + (float) sum);
        }
        if (image == null) {
            throw InvalidMessageException.missing(Reason.INVALID_IMAGE, "image", IMAGE);
        }
        byte[] pixels;
        try {
            pixels = Base64.getDecoder().decode(image);
        } catch (IllegalArgumentException e) {
            throw InvalidMessageException.field(Reason.INVALID_IMAGE, "image", IMAGE,
                    "text that is not valid base64 (" + e.getMessage() + ")", e);
        }
        if (pixels.length != Pixels.COUNT) {
            throw InvalidMessageException.field(Reason.INVALID_IMAGE, "image", IMAGE, pixels.length + " bytes");
        }
        if (trueLabel != null && !FashionClass.isValidLabel(trueLabel)) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "trueLabel", ScoreRequest.LABEL, trueLabel.toString());
        }
        if (!Double.isFinite(latencyMs) || latencyMs < 0) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "latencyMs", LATENCY, Double.toString(latencyMs));
        }
    }

    /** The 784 pixels the model scored. */
    public byte[] pixels() {
        return Pixels.fromBase64(image);
    }
}
