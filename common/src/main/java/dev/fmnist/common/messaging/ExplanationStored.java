package dev.fmnist.common.messaging;

import java.util.Set;

/** An explanation committed to the {@code xai} schema, the value of {@code fmnist.explanations}. */
public record ExplanationStored(String requestId, ModelRef model, String method, long explanationId)
        implements Validated {

    public static final String LIME = "lime";
    public static final String KERNEL_SHAP = "kernel_shap";
    public static final String TREE_SHAP = "tree_shap";
    public static final Set<String> METHODS = Set.of(LIME, KERNEL_SHAP, TREE_SHAP);

    @Override
    public void validate() {
        Validated.requireRequestAndModel(requestId, model);
        if (!METHODS.contains(method)) {
            throw InvalidMessageException.field("method must be one of " + METHODS + ", got " + method);
        }
        if (explanationId < 1) {
            throw InvalidMessageException.field("explanationId must be >= 1, got " + explanationId);
        }
    }
}
