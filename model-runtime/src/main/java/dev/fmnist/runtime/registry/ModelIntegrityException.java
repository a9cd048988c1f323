package dev.fmnist.runtime.registry;

/** An artifact whose bytes do not match the SHA-256 recorded beside it: never loaded. */
public class ModelIntegrityException extends RuntimeException {
    public ModelIntegrityException(String message) {
        super(message);
    }
}
