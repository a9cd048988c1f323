package dev.fmnist.common.messaging;

import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.time.Instant;
import java.util.Set;

/** An explanation committed to the {@code xai} schema, the value of {@code fmnist.explanations}. */
public record ExplanationStored(String requestId, ModelRef model, String method, long explanationId)
        implements Validated {

    public static final String LIME = "lime";
    public static final String KERNEL_SHAP = "kernel_shap";
    public static final String TREE_SHAP = "tree_shap";
    public static final Set<String> METHODS = Set.of(LIME, KERNEL_SHAP, TREE_SHAP);

    static final String METHOD = "one of \"lime\", \"kernel_shap\" or \"tree_shap\"";
    static final String ID = "an integer >= 1";

    static ExplanationStored read(JsonFields f, Instant received) {
        String requestId = f.string("requestId", Reason.INVALID_FIELD, ScoreRequest.ID, true);
        ModelRef model = ModelRef.read(f, "model");
        String method = f.string("method", Reason.INVALID_FIELD, METHOD, true);
        long explanationId = f.longValue("explanationId", ID, true);
        return new ExplanationStored(requestId, model, method, explanationId);
    }

    @Override
    public void validate() {
        Validated.requireRequestAndModel(requestId, model);
        if (!METHODS.contains(method)) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "method", METHOD, JsonFields.show(method));
        }
        if (explanationId < 1) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "explanationId", ID, Long.toString(explanationId));
        }
    }
}
