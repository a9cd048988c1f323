package dev.fmnist.xai;

/**
 * How far two explanation methods agree on one prediction: Spearman's rank correlation of their
 * segment weights (ties get average ranks), over the segments both weighed. 1 = same ranking, 0 =
 * unrelated, -1 = reversed. Null when a method weighed every segment alike (no ranking to compare).
 * Both explanations are in {@code outputSpace}: maps of different spaces are not compared.
 */
public record MethodAgreement(String model, int version, String methodA, String methodB, Double spearman,
                              int segments, String outputSpace) {
}
