package dev.fmnist.common.messaging;

/** Kafka topic names of docs/architecture.md ("Topics"), and the DLQ headers. */
public final class Topics {
    public static final String IMAGES = "fmnist.images";
    public static final String PREDICTIONS = "fmnist.predictions";
    public static final String MODELS = "fmnist.models";
    public static final String IMAGES_DLQ = "fmnist.images.dlq";
    public static final String PREDICTIONS_DLQ = "fmnist.predictions.dlq";
    public static final String EXPLANATIONS = "fmnist.explanations";

    /** Header of a dead-letter record: the kind of problem (see {@link InvalidMessageException.Reason}). */
    public static final String HEADER_ERROR_CLASS = "error-class";
    /** Header of a dead-letter record: a human-readable reason. */
    public static final String HEADER_ERROR_MESSAGE = "error-message";
    /** W3C trace context, forwarded when a record came with one. */
    public static final String HEADER_TRACEPARENT = "traceparent";

    private Topics() {
    }
}
