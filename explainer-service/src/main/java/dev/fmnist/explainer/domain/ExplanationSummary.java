package dev.fmnist.explainer.domain;

import java.time.Instant;

/**
 * One stored explanation without its arrays: quality figures and links to the full explanation, its
 * heatmap (the diverging map) and its outline (the top positive segments outlined on the image). The figures are null where the method has none, or when the explanation failed
 * ({@code error} says why). {@code outputSpace} is what the values are in: {@code probability}, {@code log_odds},
 * or {@code margin} for TreeSHAP explanations stored before output spaces (XGBoost's raw margin); null for a
 * failed one. {@code segmentation} names what gave the segments ({@code grid4}, {@code slic50c0.5}; V6), null for
 * failed explanations and those stored before V6.
 */
public record ExplanationSummary(long id, String requestId, String model, int version, String method,
                                 String reason, String status, String error, int targetClass, String targetClassName,
                                 Double baseValue, Double fullValue, Double intercept, Double limeR2,
                                 Double efficiencyGap, Double deletionArea, Integer samples, Double elapsedMs,
                                 Instant createdAt, String outputSpace, String segmentation, String href,
                                 String heatmap, String outline) {
}
