package dev.fmnist.common.messaging;

/** A message record that checks its own contract. */
public interface Validated {
    /** Throws {@link InvalidMessageException} naming the first broken rule. */
    void validate();

    /** Checks a request id (the field {@code name}): non-blank, at most {@link ScoreRequest#MAX_ID_LENGTH} characters. */
    static void requireId(String name, String id) {
        if (id == null) {
            throw InvalidMessageException.missing(InvalidMessageException.Reason.INVALID_FIELD, name, ScoreRequest.ID);
        }
        if (id.isBlank()) {
            throw InvalidMessageException.field(InvalidMessageException.Reason.INVALID_FIELD, name, ScoreRequest.ID,
                    JsonFields.show(id));
        }
        if (id.length() > ScoreRequest.MAX_ID_LENGTH) {
            throw InvalidMessageException.field(InvalidMessageException.Reason.INVALID_FIELD, name, ScoreRequest.ID,
                    "a string of " + id.length() + " characters");
        }
    }

    /** Checks what every record about one request carries: its id and the model version. */
    static void requireRequestAndModel(String requestId, ModelRef model) {
        requireId("requestId", requestId);
        if (model == null) {
            throw InvalidMessageException.missing(InvalidMessageException.Reason.INVALID_FIELD, "model", ModelRef.EXPECTED);
        }
        model.validate();
    }
}
