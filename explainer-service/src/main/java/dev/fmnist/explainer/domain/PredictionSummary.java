package dev.fmnist.explainer.domain;

import java.time.Instant;

/**
 * One stored prediction in a list. {@code correct} is null without a true label; {@code
 * explanations} counts its stored explanations (succeeded or failed), {@code pendingExplanations} the
 * ones still waiting in the work queue (or being made).
 */
public record PredictionSummary(String requestId, String model, int version, int label, String className,
                                float confidence, Integer trueLabel, Boolean correct, boolean explain,
                                double latencyMs, Instant scoredAt, int explanations,
                                int pendingExplanations) {
}
