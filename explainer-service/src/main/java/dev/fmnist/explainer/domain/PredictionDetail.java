package dev.fmnist.explainer.domain;

import java.time.Instant;

/** One stored prediction with its probabilities and the image the model saw (base64 of 784 uint8 pixels). */
public record PredictionDetail(String requestId, String model, int version, int label, String className,
                               float confidence, float[] probabilities, Integer trueLabel, Boolean correct,
                               boolean explain, double latencyMs, Instant scoredAt, Instant storedAt, String image) {
}
