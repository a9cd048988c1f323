package dev.fmnist.common.messaging;

/** A message record that checks its own contract. */
public interface Validated {
    /** Throws {@link InvalidMessageException} naming the first broken rule. */
    void validate();

    /** Checks what every record about one request carries: its id and the model version. */
    static void requireRequestAndModel(String requestId, ModelRef model) {
        if (requestId == null || requestId.isBlank()) {
            throw InvalidMessageException.field("requestId is missing");
        }
        if (model == null) {
            throw InvalidMessageException.field("model is missing");
        }
        model.validate();
    }
}
