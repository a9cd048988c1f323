package dev.fmnist.explainer.service;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.LimeAndKernelShap;
import dev.fmnist.xai.OutputSpace;
import dev.fmnist.xai.StableHash;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * LIME and KernelSHAP of one prediction from one set of model evaluations ({@link LimeAndKernelShap}), for a
 * model configured with both: the work queue holds one item per method, so the first of the two items
 * computes the pair and keeps it here until the second takes it (or another worker, busy with the same
 * prediction, waits for it). The pair is a deterministic function of the model, image, class and the two
 * methods' seeds, so an item that misses the pair (evicted, or retaken after a crash) computes it again and
 * gets the same explanation: nothing is lost or stored twice, the second computation only costs time.
 *
 * <p>{@code explainer.lime.shared-samples} is LIME's own masks beside KernelSHAP's (0 = LIME always alone,
 * as the reference with {@code explainer.lime.samples} masks).
 */
@ApplicationScoped
public class ExplanationPairs {
    /** Pairs waiting for their second method: a few per worker is plenty, each is a few kB. */
    static final int CAPACITY = 64;

    private record Key(String requestId, ModelRef model, OutputSpace space, double shapBudgetFactor, int label) {
    }

    private final LimeAndKernelShap pairs;
    private final Map<Key, CompletableFuture<LimeAndKernelShap.Pair>> waiting = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<LimeAndKernelShap.Pair>> eldest) {
            return size() > CAPACITY;
        }
    };

    @jakarta.inject.Inject
    public ExplanationPairs(ExplainerSettings settings, dev.fmnist.explainer.config.ExplainerConfig config) {
        this(settings, config.lime().sharedSamples());
    }

    ExplanationPairs(ExplainerSettings settings, int sharedSamples) {
        if (sharedSamples < 0) {
            throw new IllegalArgumentException("explainer.lime.shared-samples must be 0 (LIME always alone) or more, got "
                    + sharedSamples);
        }
        this.pairs = sharedSamples == 0 ? null
                : new LimeAndKernelShap(settings, Math.min(sharedSamples, settings.limeSamples()));
    }

    /** Whether {@code method} of a model explained by {@code methods} is made as part of a pair. */
    public boolean covers(List<String> methods, String method) {
        return pairs != null && (method.equals(ExplanationStored.LIME) || method.equals(ExplanationStored.KERNEL_SHAP))
                && methods.contains(ExplanationStored.LIME) && methods.contains(ExplanationStored.KERNEL_SHAP);
    }

    /**
     * {@code method}'s half of the pair of this prediction: taken from the pair its other method computed, else
     * computed now (and kept for the other method).
     */
    public Attribution explain(String requestId, ModelRef model, String method, ModelScorer scorer, float[] image,
                               int label, OutputSpace space) throws InterruptedException {
        return explain(requestId, model, method, scorer, image, label, space, 1);
    }

    /** As the method above, KernelSHAP's budget times {@code shapBudgetFactor} (the model's, {@link ExplanationPolicy}). */
    public Attribution explain(String requestId, ModelRef model, String method, ModelScorer scorer, float[] image,
                               int label, OutputSpace space, double shapBudgetFactor) throws InterruptedException {
        Key key = new Key(requestId, model, space, shapBudgetFactor, label);
        CompletableFuture<LimeAndKernelShap.Pair> mine = new CompletableFuture<>();
        CompletableFuture<LimeAndKernelShap.Pair> theirs;
        synchronized (waiting) {
            theirs = waiting.putIfAbsent(key, mine);
        }
        LimeAndKernelShap.Pair pair;
        if (theirs == null) {
            try {
                pair = pairs.explain(scorer, image, label, StableHash.seed(requestId, ExplanationStored.LIME),
                        StableHash.seed(requestId, ExplanationStored.KERNEL_SHAP), space, shapBudgetFactor);
                mine.complete(pair);
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                forget(key, mine);
                throw e;
            }
        } else {
            try {
                pair = theirs.get();
            } catch (ExecutionException e) {
                // the other method's computation failed: the same inputs fail the same way (a deadline, a bad model)
                throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
            }
            forget(key, theirs); // both halves taken
        }
        return method.equals(ExplanationStored.LIME) ? pair.lime() : pair.kernelShap();
    }

    /** Pairs kept for a second method now (for tests and the metric). */
    int waiting() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    private void forget(Key key, CompletableFuture<LimeAndKernelShap.Pair> future) {
        synchronized (waiting) {
            waiting.remove(key, future);
        }
    }
}
