package dev.fmnist.trainer.domain;

/**
 * Progress of a training run, reported by every trainer: the console progress bar and the REST
 * status both listen. Implementations must be cheap and thread-safe.
 */
public interface TrainingListener {
    TrainingListener NONE = new TrainingListener() {
    };

    /** A new stage of one model's training begins, e.g. "grid search", "epoch 3/20", "final fit". */
    default void stage(String model, String stage) {
    }

    /** {@code done} of {@code total} units (batches, boosting rounds, folds) of the current stage. */
    default void progress(String model, long done, long total) {
    }

    /** One epoch (or boosting round) finished. */
    default void epoch(String model, EpochMetrics metrics) {
    }
}
