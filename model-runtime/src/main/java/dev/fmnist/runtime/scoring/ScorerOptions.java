package dev.fmnist.runtime.scoring;

/**
 * How a model is run.
 *
 * @param provider where: {@code auto}, {@code cuda} or {@code cpu}
 * @param threads  native threads of one model call (ONNX Runtime intra-op threads, XGBoost
 *                 {@code nthread}); 0 = the processors this JVM may use
 * @param maxBatch the most images one native call takes; larger calls are split (bounds the buffers)
 * @param xgboostProvider where XGBoost models run, when not where {@code provider} says (null: {@code provider});
 *                 on a GPU node, {@code cuda} for ONNX Runtime and {@code cpu} for XGBoost, whose CUDA predictor
 *                 was slower than the CPU at every batch up to 4,096 images (results/gpu-check.md)
 * @param spinning whether ONNX Runtime's intra-op threads spin while waiting for work ({@code
 *                 session.intra_op.allow_spinning}, on by default in ONNX Runtime). Off, an idle pool sleeps
 *                 instead of holding its cores: what a process that shares its cores with a broker and other
 *                 services needs (docs/architecture.md, "Threads")
 */
public record ScorerOptions(ExecutionProvider provider, int threads, int maxBatch, ExecutionProvider xgboostProvider,
                            boolean spinning) {
    public static final int DEFAULT_MAX_BATCH = 1024;

    /** Every engine where {@code provider} says. */
    public ScorerOptions(ExecutionProvider provider, int threads, int maxBatch) {
        this(provider, threads, maxBatch, null);
    }

    /** ONNX Runtime's own default: spinning. */
    public ScorerOptions(ExecutionProvider provider, int threads, int maxBatch, ExecutionProvider xgboostProvider) {
        this(provider, threads, maxBatch, xgboostProvider, true);
    }

    public ScorerOptions {
        if (provider == null) {
            throw new IllegalArgumentException("provider is missing");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all processors) or more, got " + threads);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
    }

    /** CPU, every processor, the default batch limit. */
    public static ScorerOptions cpu() {
        return new ScorerOptions(ExecutionProvider.CPU, 0, DEFAULT_MAX_BATCH);
    }

    public ScorerOptions withThreads(int threads) {
        return new ScorerOptions(provider, threads, maxBatch, xgboostProvider, spinning);
    }

    /** ONNX Runtime's intra-op threads spin while idle ({@code true}, its default) or sleep. */
    public ScorerOptions withSpinning(boolean spinning) {
        return new ScorerOptions(provider, threads, maxBatch, xgboostProvider, spinning);
    }

    public ScorerOptions withProvider(ExecutionProvider provider) {
        return new ScorerOptions(provider, threads, maxBatch, xgboostProvider, spinning);
    }

    /** XGBoost models on {@code xgboostProvider}, the ONNX ones still on {@link #provider()} (null: the same). */
    public ScorerOptions withXgboostProvider(ExecutionProvider xgboostProvider) {
        return new ScorerOptions(provider, threads, maxBatch, xgboostProvider, spinning);
    }

    /** Where XGBoost models run: {@link #xgboostProvider()} when set, else {@link #provider()}. */
    public ExecutionProvider effectiveXgboostProvider() {
        return xgboostProvider != null ? xgboostProvider : provider;
    }

    /** The thread count to give the engine: {@link #threads()}, or the processors available when 0. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
