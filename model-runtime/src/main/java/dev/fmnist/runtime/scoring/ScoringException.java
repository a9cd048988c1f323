package dev.fmnist.runtime.scoring;

/** A native engine failed on valid input: not the request's fault. */
public class ScoringException extends RuntimeException {
    public ScoringException(String message, Throwable cause) {
        super(message, cause);
    }
}
