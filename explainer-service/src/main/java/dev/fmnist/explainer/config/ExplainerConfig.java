package dev.fmnist.explainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The {@code explainer.*} settings (application.properties documents each one). */
@ConfigMapping(prefix = "explainer")
public interface ExplainerConfig {

    /**
     * Share of the predictions that did not ask for an explanation which are explained anyway, 0..1;
     * chosen by a stable hash of the request id, so every model of a sampled request is explained.
     */
    @WithDefault("0.01")
    double sampleRate();

    /**
     * Methods per model, e.g. {@code explainer.methods.cnn=lime,kernel_shap}. A model without an
     * entry gets {@link #defaultMethods()}; an empty value explains nothing for that model.
     */
    Map<String, List<String>> methods();

    /** Methods of a model that has no {@code explainer.methods.<model>} entry. */
    @WithDefault("lime,kernel_shap")
    List<String> defaultMethods();

    /**
     * What every method of a model explains, e.g. {@code explainer.output-space.lenet=probability}:
     * {@code probability} or {@code log_odds} (the centred log-probability, {@code dev.fmnist.xai.OutputSpace});
     * a model without an entry gets {@link #defaultOutputSpace()}. {@code tree_shap} needs {@code log_odds}.
     */
    Map<String, String> outputSpace();

    /** The output space of a model without an {@code explainer.output-space.<model>} entry. */
    @WithDefault("log_odds")
    String defaultOutputSpace();

    /** Explanations running at once (the worker pool); each one makes thousands of model calls. */
    @WithDefault("1")
    int parallelism();

    /** Native threads of one model call (ONNX Runtime intra-op, XGBoost nthread); 0 = the CPUs this process may use. */
    @WithDefault("1")
    int threads();

    /** {@code auto} (CUDA when available, else CPU), {@code cuda} (fail without it) or {@code cpu}. */
    @WithDefault("auto")
    String executionProvider();

    /** The most images one native call takes (larger calls of the algorithms are split). */
    @WithDefault("256")
    int maxBatch();

    /**
     * Lag shedding: a sampled (never a requested) explanation whose prediction was scored longer
     * ago than this when its turn comes is skipped and counted in {@code explainer_shed_total}.
     */
    @WithDefault("2m")
    Duration maxLag();

    /** Model versions kept open at once (least recently used ones are closed). */
    @WithDefault("4")
    int modelCacheSize();

    /** Kafka batches whose dead letters are still unacknowledged, at most. */
    @WithDefault("2")
    int maxBatchesInFlight();

    /** How often the registry is checked (readiness, and the newest version of each model loaded ahead). */
    @WithDefault("30s")
    Duration registryCheckInterval();

    /**
     * Longest an explanation may run; past it the explanation is stored as failed with the reason
     * (checked between the model calls of LIME, KernelSHAP and the deletion curve).
     */
    @WithDefault("10s")
    Duration deadline();

    /** The durable explanation work queue ({@code xai.explanation_work}) and its workers. */
    Queue queue();

    interface Queue {
        /**
         * How long a worker holds an item it claimed; a heartbeat extends it every third of it while the
         * explanation runs. A crashed worker's item is taken again at most this long after the crash.
         */
        @WithDefault("15s")
        Duration lease();

        /** How often an idle worker looks for work (new items of this instance wake it at once). */
        @WithDefault("1s")
        Duration pollInterval();

        /** An item that hit a passing problem (registry or broker unreachable) is tried again after this. */
        @WithDefault("10s")
        Duration retryDelay();

        /** How often the backlog metrics are read from the database. */
        @WithDefault("5s")
        Duration metricsInterval();

        /** Done items are kept this long (replays find them; the dashboard's backlog history), then deleted. */
        @WithDefault("7d")
        Duration retention();
    }

    /** Storage writes while PostgreSQL cannot be reached: retried with exponential backoff. */
    DbRetry dbRetry();

    interface DbRetry {
        /** The first wait after a failed write; it doubles after each further failure. */
        @WithDefault("500ms")
        Duration initialBackoff();

        /** The longest wait between two attempts. */
        @WithDefault("10s")
        Duration maxBackoff();

        /**
         * How long one write is retried before its Kafka batch fails (and is consumed again after a
         * restart); 0 retries forever.
         */
        @WithDefault("10m")
        Duration timeout();
    }

    /** LIME (module {@code xai}). */
    Lime lime();

    interface Lime {
        /** Perturbed images per explanation, the whole image included. */
        @WithDefault("1000")
        int samples();

        /** Width of the exponential kernel over the cosine distance of a perturbation to the image. */
        @WithDefault("0.25")
        double kernelWidth();

        /** Ridge penalty of the surrogate. */
        @WithDefault("1.0")
        double ridgeAlpha();

        /**
         * For a model also explained by KernelSHAP: LIME's own masks beside every image KernelSHAP scored,
         * importance-weighted (xai {@code LimeAndKernelShap}); 0 = LIME always alone, with {@link #samples()} masks.
         */
        @WithDefault("100")
        int sharedSamples();
    }

    /** KernelSHAP (module {@code xai}). */
    KernelShap kernelShap();

    interface KernelShap {
        /** Model evaluations when it samples (more than 14 segments); 0 = automatic, 2 x segments + 2048. */
        @WithDefault("0")
        int budget();

        /**
         * Per model, the budget times this factor, e.g. {@code explainer.kernel-shap.budget-factor.cnn=4}: a model whose
         * game is further from additive needs more evaluations for the same accuracy; 1 for a model without an entry.
         */
        Map<String, Double> budgetFactor();
    }

    /** The segments LIME and KernelSHAP perturb, and TreeSHAP sums its pixels over. */
    Segmentation segmentation();

    interface Segmentation {
        /**
         * {@code grid} (square cells of {@code grid-cell}), {@code slic} (superpixels, {@code slic-*}), or a
         * segmentation's name as the benchmarks write it ({@code grid3}, {@code slic50c0.5}, {@code qs1d10r0.5}).
         */
        @WithDefault("grid")
        String kind();

        /** Cell side in pixels of the grid, 1..28 (4: 7 x 7 = 49 cells). */
        @WithDefault("4")
        int gridCell();

        /** Superpixels SLIC aims at. */
        @WithDefault("50")
        int slicSegments();

        /** SLIC's trade-off between intensity and space (0.5 tuned on validation images). */
        @WithDefault("0.5")
        double slicCompactness();
    }

    /** The read API. */
    Upload upload();

    /** Photos sent from the web page's upload form to fmnist.images. */
    interface Upload {
        /** Largest accepted file, bytes. */
        @WithDefault("10485760")
        int maxBytes();

        /** Largest accepted declared width x height (checked before decoding). */
        @WithDefault("50000000")
        long maxPixels();

        /** How long an upload waits for the broker's acknowledgement. */
        @WithDefault("10s")
        Duration sendTimeout();
    }

    Api api();

    interface Api {
        /** Page size of {@code GET /api/predictions} without a {@code size} parameter. */
        @WithDefault("20")
        int defaultPageSize();

        /** The largest {@code size} accepted. */
        @WithDefault("100")
        int maxPageSize();
    }

    /** The heatmap PNG. */
    Heatmap heatmap();

    interface Heatmap {
        /** Upscaling of the 28x28 image without a {@code scale} parameter (nearest neighbour). */
        @WithName("scale")
        @WithDefault("10")
        int defaultScale();
    }
}
