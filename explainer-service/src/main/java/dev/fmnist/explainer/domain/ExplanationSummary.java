package dev.fmnist.explainer.domain;

import java.time.Instant;

/**
 * One stored explanation without its arrays: quality figures and links to the full explanation and
 * its heatmap. The figures are null where the method has none, or when the explanation failed
 * ({@code error} says why). {@code outputSpace} is what the values are in: {@code probability}, {@code log_odds},
 * or {@code margin} for TreeSHAP explanations stored before output spaces (XGBoost's raw margin); null for a
 * failed one.
 */
public record ExplanationSummary(long id, String requestId, String model, int version, String method,
                                 String reason, String status, String error, int targetClass, String targetClassName,
                                 Double baseValue, Double fullValue, Double intercept, Double limeR2,
                                 Double efficiencyGap, Double deletionArea, Integer samples, Double elapsedMs,
                                 Instant createdAt, String outputSpace, String href, String heatmap) {
}
