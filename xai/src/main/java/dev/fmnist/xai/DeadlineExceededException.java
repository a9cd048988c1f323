package dev.fmnist.xai;

/**
 * An explanation ran past its deadline ({@link ExplainerSettings#deadline()}); thrown between two
 * model calls, so it is late by at most one call. The service stores the explanation as failed with
 * {@link #getMessage()}.
 */
public class DeadlineExceededException extends RuntimeException {
    private final long elapsedMs;

    public DeadlineExceededException(long elapsedMs, int evaluations) {
        super("deadline exceeded after " + elapsedMs + " ms (" + evaluations + " model evaluations done)");
        this.elapsedMs = elapsedMs;
    }

    public long elapsedMs() {
        return elapsedMs;
    }
}
