package dev.fmnist.runtime;

import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.LoadedModel;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import java.time.Instant;

/**
 * Opens a verified registry version on its engine and warms it up (the first calls of an ONNX Runtime
 * session or an XGBoost booster allocate and tune; a warmed model answers its first real call at full
 * speed). The one open-and-warm step of the newest-version loader, the exact-version cache and the
 * trainer's evaluation.
 */
public final class ModelOpener {
    private final ScorerOptions options;
    private final int warmUpBatch;

    /** {@code warmUpBatch}: images of the warm-up call, at most {@code options.maxBatch()}. */
    public ModelOpener(ScorerOptions options, int warmUpBatch) {
        if (warmUpBatch < 1) {
            throw new IllegalArgumentException("warm-up batch must be at least 1, got " + warmUpBatch);
        }
        this.options = options;
        this.warmUpBatch = Math.min(warmUpBatch, options.maxBatch());
    }

    public ScorerOptions options() {
        return options;
    }

    /**
     * The model, warmed up, holding one reference (its holder's). Nothing stays open when this fails.
     *
     * @throws dev.fmnist.runtime.scoring.ExecutionProvider.CudaUnavailableException when {@code cuda} is required
     *         but cannot be had
     * @throws RuntimeException when the artifact is no model of the platform's contract
     */
    public LoadedModel open(StoredModel model) {
        ModelScorer scorer = ModelScorers.open(model, options);
        try {
            scorer.warmUp(warmUpBatch);
            return new LoadedModel(scorer, model.sha256(), Instant.now());
        } catch (RuntimeException | Error e) {
            scorer.close();
            throw e;
        }
    }
}
