package dev.fmnist.runtime.scoring;

import dev.fmnist.common.messaging.ModelRef;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One loaded model version with a reference count: the holder (inference's current version, the
 * explainer's cache) keeps one reference while it holds the version, every call in flight keeps one more. When a newer version replaces it, the
 * holder drops its reference, and the last call to finish closes the native model: a swap never
 * fails a call in flight, and no call ever uses a closed model.
 */
public final class LoadedModel {
    private static final Logger LOG = Logger.getLogger(LoadedModel.class);

    private final ModelScorer scorer;
    private final String sha256;
    private final Instant loadedAt;
    /** 1 for the holder plus one per call in flight; 0 = closed, never used again. */
    private final AtomicInteger references = new AtomicInteger(1);

    public LoadedModel(ModelScorer scorer, String sha256, Instant loadedAt) {
        this.scorer = scorer;
        this.sha256 = sha256;
        this.loadedAt = loadedAt;
    }

    public ModelScorer scorer() {
        return scorer;
    }

    public String name() {
        return scorer.name();
    }

    public int version() {
        return scorer.version();
    }

    public ModelRef ref() {
        return new ModelRef(scorer.name(), scorer.version());
    }

    public String sha256() {
        return sha256;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** Takes a reference for a call; false when the model was already closed (the caller looks again). */
    public boolean retain() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives a reference back; the last one closes the native model. */
    public void release() {
        int n = references.decrementAndGet();
        if (n == 0) {
            try {
                scorer.close();
                LOG.infof("Closed %s", scorer);
            } catch (RuntimeException e) {
                LOG.warnf(e, "Closing %s failed", scorer);
            }
        } else if (n < 0) {
            throw new IllegalStateException("released more often than retained: " + scorer);
        }
    }

    /** References held now (holder + calls in flight); 0 once closed. */
    public int references() {
        return references.get();
    }

    public boolean closed() {
        return references.get() == 0;
    }

    @Override
    public String toString() {
        return scorer.toString();
    }
}
