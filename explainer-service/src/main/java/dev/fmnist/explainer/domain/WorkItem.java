package dev.fmnist.explainer.domain;

import java.time.Instant;

/** Rows of the durable explanation work queue {@code xai.explanation_work} (V3). */
public final class WorkItem {
    private WorkItem() {
    }

    /** {@code state}: waiting (or leased to a worker), stored but not announced yet, finished. */
    public enum State {
        QUEUED, ANNOUNCING, DONE;

        public String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static State ofColumn(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * What the consumer queues with a prediction: one explanation to make, why, and the {@code traceparent} of the
     * record's consumer span (V4), the parent of the worker's spans.
     */
    public record New(ExplanationKey key, String reason, String traceparent) {
        /** Requested explanations are taken before sampled ones. */
        public short priority() {
            return (short) ("requested".equals(reason) ? 0 : 1);
        }
    }

    /**
     * An item a worker holds under lease until {@code leaseUntil}: the item, the prediction's label,
     * scoring time and pixels, and the explanation already stored under its key, if any ({@code
     * storedId} and {@code storedStatus} null otherwise). {@code claimedBy} and {@code attempts}
     * together are the claim: a worker whose lease ran out and was taken over changes nothing.
     */
    public record Claimed(long id, ExplanationKey key, String reason, String traceparent, State state,
                          Long storedId, ExplanationStatus storedStatus, int attempts, String claimedBy,
                          Instant queuedAt, int label, Instant scoredAt, byte[] pixels) {
        public StoredExplanation stored() {
            return storedId == null ? null : new StoredExplanation(storedId, storedStatus);
        }
    }

    /** The backlog as all instances see it: items waiting (leased ones included), the oldest one's age, items announcing. */
    public record Backlog(long queued, long running, double oldestSeconds, long announcing) {
        public static final Backlog EMPTY = new Backlog(0, 0, 0, 0);
    }

    /** An unfinished item as the read API shows it. */
    public record Pending(String model, int version, String method, String reason, String status, Instant queuedAt,
                          int attempts) {
    }
}
