package dev.fmnist.runtime;

/**
 * A model version cannot be had. {@link #permanent()} ones (not in the registry, corrupt, not a model of
 * the contract, a CUDA provider that was required but is missing) will not load by trying again; the
 * others (the registry cannot be read now) may. The explainer stores a permanent one as a failed
 * explanation and lets a passing one fail the Kafka batch, which is then consumed again.
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
