package dev.fmnist.explainer.service;

/**
 * A model version cannot be had for an explanation. {@link #permanent()} ones (not in the registry,
 * corrupt, not a model of the contract) are stored as failed explanations; the others (the registry
 * cannot be read now) fail the Kafka batch, which is then consumed again.
 */
public class ModelLoadException extends RuntimeException {
    private final boolean permanent;

    public ModelLoadException(String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.permanent = permanent;
    }

    public boolean permanent() {
        return permanent;
    }
}
