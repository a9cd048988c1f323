package dev.fmnist.explainer.domain;

import dev.fmnist.common.messaging.ModelRef;

/** What an explanation is keyed by (the unique key of {@code xai.explanation}). */
public record ExplanationKey(String requestId, ModelRef model, String method) {
    @Override
    public String toString() {
        return requestId + " " + model + " " + method;
    }
}
