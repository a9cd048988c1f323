package dev.fmnist.xai;

import dev.fmnist.runtime.scoring.ModelScorer;

/**
 * An explanation algorithm. Implementations are thread-safe and deterministic: the same model,
 * image, class and seed give the same {@link Attribution}.
 */
public interface AttributionMethod {

    /** {@code lime}, {@code kernel_shap} or {@code tree_shap} (the names of {@code ExplanationStored}). */
    String name();

    /** Whether this method can explain {@code model} (TreeSHAP needs an XGBoost model). */
    boolean supports(ModelScorer model);

    /**
     * Explains {@code targetClass} for one image, in the settings' {@link OutputSpace}.
     *
     * @param image 784 values {@code pixel / 255}, the model's input
     * @param seed  seeds every random choice; the service derives it from the request id
     */
    Attribution explain(ModelScorer model, float[] image, int targetClass, long seed);

    /**
     * Explains {@code targetClass} in {@code space} rather than the settings' output space (the
     * service configures one space per model, the methods are shared).
     */
    Attribution explain(ModelScorer model, float[] image, int targetClass, long seed, OutputSpace space);

    /**
     * Explains {@code targetClass} in {@code space}, KernelSHAP spending its budget times {@code shapBudgetFactor}
     * (the service sets one per model; the other methods ignore it).
     */
    default Attribution explain(ModelScorer model, float[] image, int targetClass, long seed, OutputSpace space,
                                double shapBudgetFactor) {
        return explain(model, image, targetClass, seed, space);
    }
}
