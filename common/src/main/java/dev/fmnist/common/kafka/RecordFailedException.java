package dev.fmnist.common.kafka;

/**
 * A record that could not be handled for a reason other than breaking the contract (an unexpected
 * failure, or one a service classifies itself): what a dead letter names as its exception class when
 * the failure itself is not one of the project's own exceptions; the failure is its cause.
 */
public class RecordFailedException extends RuntimeException {
    public RecordFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
