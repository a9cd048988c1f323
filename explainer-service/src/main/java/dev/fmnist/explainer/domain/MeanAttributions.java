package dev.fmnist.explainer.domain;

import java.util.List;

/**
 * A global view of one model and method: mean |attribution| per pixel and class.
 *
 * @param model   model name
 * @param version the version averaged over, or null for every version
 * @param method  lime, kernel_shap or tree_shap
 * @param count   explanations averaged in all
 * @param classes the ten classes in label order
 */
public record MeanAttributions(String model, Integer version, String method, long count,
                               List<ClassMeanAttribution> classes) {
}
