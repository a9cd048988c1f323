package dev.fmnist.explainer.domain;

/**
 * An XGBoost model's global importance map (the paper's Fig. 4).
 *
 * @param model      model name
 * @param version    registry version
 * @param type       XGBoost importance type, e.g. gain
 * @param importance 784 values, row-major, normalised to sum to 1 (all 0 when no tree splits)
 * @param max        the largest normalised value
 * @param raw        the sum of XGBoost's values before normalising
 */
public record FeatureImportance(String model, int version, String type, float[] importance, float max, double raw) {
}
