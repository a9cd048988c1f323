package dev.fmnist.explainer.domain;

/**
 * The mean absolute attribution per pixel over the succeeded explanations of one target class.
 *
 * @param targetClass  0..9
 * @param className    its name
 * @param count        explanations averaged (0: {@code meanAbs} is all zeros)
 * @param meanAbs      784 values, row-major
 */
public record ClassMeanAttribution(int targetClass, String className, long count, float[] meanAbs) {
}
