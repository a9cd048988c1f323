package dev.fmnist.inference.service;

/** The model (or the version) asked for is not served here now. */
public class ModelUnavailableException extends RuntimeException {
    /** Why: the HTTP layer answers 404 for the first and last, 503 for the middle one. */
    public enum Kind {
        NOT_CONFIGURED, NOT_LOADED, VERSION_NOT_LOADED
    }

    private final Kind kind;

    public ModelUnavailableException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
