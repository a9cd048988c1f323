package dev.fmnist.xai;

import java.time.Duration;

/**
 * How the explanation methods run; the service maps its configuration onto this record.
 *
 * @param limeSamples  LIME's perturbed images per explanation (the all-visible one included), at least 2
 * @param kernelWidth  width of LIME's exponential kernel over cosine distance, more than 0
 * @param ridgeAlpha   ridge penalty of LIME's surrogate (not on its intercept), 0 or more
 * @param shapBudget   KernelSHAP's model evaluations when it samples (more than 14 segments),
 *                     the empty and full image included; 0 = automatic, {@code 2 M + 2048} for M segments
 * @param batchSize    perturbed images per model call, at least 1
 * @param segmentation the segments LIME and KernelSHAP perturb, and TreeSHAP sums its pixels over
 * @param deadline     longest one explanation may run, checked before each model call ({@link
 *                     DeadlineExceededException}); {@link Duration#ZERO} = none
 * @param outputSpace  the quantity every method explains (the game's worth, base value, f(x), weights
 *                     and deletion curve); TreeSHAP needs {@link OutputSpace#LOG_ODDS}
 * @param shapBudgetFactor KernelSHAP's budget ({@code shapBudget}, or the automatic one) times this, for a model
 *                     whose game needs more evaluations for the same accuracy (cnn); more than 0, default 1
 */
public record ExplainerSettings(int limeSamples, double kernelWidth, double ridgeAlpha, int shapBudget,
                                int batchSize, Segmentation segmentation, Duration deadline,
                                OutputSpace outputSpace, double shapBudgetFactor) {
    public static final int DEFAULT_LIME_SAMPLES = 1000;
    /** The reference LIME's image explainer default. */
    public static final double DEFAULT_KERNEL_WIDTH = 0.25;
    /** The reference LIME's surrogate: scikit-learn {@code Ridge(alpha=1)}. */
    public static final double DEFAULT_RIDGE_ALPHA = 1.0;
    public static final int AUTOMATIC_SHAP_BUDGET = 0;
    public static final int DEFAULT_BATCH_SIZE = 256;
    /** The fewest evaluations a set budget may give: the empty and full image and one coalition. */
    public static final int MIN_SHAP_BUDGET = 3;
    /**
     * Log-odds (centred log-probability): KernelSHAP is more accurate there at the same budget and
     * TreeSHAP is exact there (docs/explainer.md, "Output space", measured on validation images).
     */
    public static final OutputSpace DEFAULT_OUTPUT_SPACE = OutputSpace.LOG_ODDS;

    public ExplainerSettings {
        if (limeSamples < 2) {
            throw new IllegalArgumentException("LIME needs at least 2 samples (the image and one perturbation), got "
                    + limeSamples);
        }
        if (!(kernelWidth > 0) || Double.isInfinite(kernelWidth)) {
            throw new IllegalArgumentException("LIME kernel width must be a finite number above 0, got " + kernelWidth);
        }
        if (!(ridgeAlpha >= 0) || Double.isInfinite(ridgeAlpha)) {
            throw new IllegalArgumentException("LIME ridge alpha must be a finite number of 0 or more, got "
                    + ridgeAlpha);
        }
        if (shapBudget != AUTOMATIC_SHAP_BUDGET && shapBudget < MIN_SHAP_BUDGET) {
            throw new IllegalArgumentException("KernelSHAP budget must be 0 (automatic: 2 x segments + 2048) or at least "
                    + MIN_SHAP_BUDGET + " evaluations, got " + shapBudget);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1 image, got " + batchSize);
        }
        if (segmentation == null) {
            throw new IllegalArgumentException("segmentation is missing");
        }
        if (deadline == null || deadline.isNegative()) {
            throw new IllegalArgumentException("the deadline must be 0 (none) or positive, got " + deadline);
        }
        if (outputSpace == null) {
            throw new IllegalArgumentException("output space is missing (probability or log_odds)");
        }
        if (!(shapBudgetFactor > 0) || Double.isInfinite(shapBudgetFactor)) {
            throw new IllegalArgumentException("KernelSHAP budget factor must be a finite number above 0, got "
                    + shapBudgetFactor);
        }
    }

    /** Settings with KernelSHAP's budget as set (factor 1). */
    public ExplainerSettings(int limeSamples, double kernelWidth, double ridgeAlpha, int shapBudget, int batchSize,
                             Segmentation segmentation, Duration deadline, OutputSpace outputSpace) {
        this(limeSamples, kernelWidth, ridgeAlpha, shapBudget, batchSize, segmentation, deadline, outputSpace, 1);
    }

    /** Settings in the default output space. */
    public ExplainerSettings(int limeSamples, double kernelWidth, double ridgeAlpha, int shapBudget, int batchSize,
                             Segmentation segmentation, Duration deadline) {
        this(limeSamples, kernelWidth, ridgeAlpha, shapBudget, batchSize, segmentation, deadline, DEFAULT_OUTPUT_SPACE);
    }

    /** Settings without a deadline, in the default output space. */
    public ExplainerSettings(int limeSamples, double kernelWidth, double ridgeAlpha, int shapBudget, int batchSize,
                             Segmentation segmentation) {
        this(limeSamples, kernelWidth, ridgeAlpha, shapBudget, batchSize, segmentation, Duration.ZERO);
    }

    /**
     * 1,000 LIME samples, kernel width 0.25, ridge alpha 1, automatic SHAP budget, batches of 256, 4x4 grid, no
     * deadline, {@link #DEFAULT_OUTPUT_SPACE}.
     */
    public static ExplainerSettings defaults() {
        return new ExplainerSettings(DEFAULT_LIME_SAMPLES, DEFAULT_KERNEL_WIDTH, DEFAULT_RIDGE_ALPHA,
                AUTOMATIC_SHAP_BUDGET, DEFAULT_BATCH_SIZE, new GridSegmentation(GridSegmentation.DEFAULT_CELL));
    }

    public ExplainerSettings withLimeSamples(int samples) {
        return new ExplainerSettings(samples, kernelWidth, ridgeAlpha, shapBudget, batchSize, segmentation, deadline,
                outputSpace, shapBudgetFactor);
    }

    public ExplainerSettings withRidgeAlpha(double alpha) {
        return new ExplainerSettings(limeSamples, kernelWidth, alpha, shapBudget, batchSize, segmentation, deadline,
                outputSpace, shapBudgetFactor);
    }

    public ExplainerSettings withShapBudget(int budget) {
        return new ExplainerSettings(limeSamples, kernelWidth, ridgeAlpha, budget, batchSize, segmentation, deadline,
                outputSpace, shapBudgetFactor);
    }

    public ExplainerSettings withBatchSize(int size) {
        return new ExplainerSettings(limeSamples, kernelWidth, ridgeAlpha, shapBudget, size, segmentation, deadline,
                outputSpace, shapBudgetFactor);
    }

    public ExplainerSettings withSegmentation(Segmentation s) {
        return new ExplainerSettings(limeSamples, kernelWidth, ridgeAlpha, shapBudget, batchSize, s, deadline,
                outputSpace, shapBudgetFactor);
    }

    public ExplainerSettings withDeadline(Duration d) {
        return new ExplainerSettings(limeSamples, kernelWidth, ridgeAlpha, shapBudget, batchSize, segmentation, d,
                outputSpace, shapBudgetFactor);
    }

    public ExplainerSettings withOutputSpace(OutputSpace space) {
        return new ExplainerSettings(limeSamples, kernelWidth, ridgeAlpha, shapBudget, batchSize, segmentation, deadline,
                space, shapBudgetFactor);
    }

    public ExplainerSettings withShapBudgetFactor(double factor) {
        return new ExplainerSettings(limeSamples, kernelWidth, ridgeAlpha, shapBudget, batchSize, segmentation, deadline,
                outputSpace, factor);
    }

    /** The {@link System#nanoTime()} past which an explanation started at {@code startNanos} fails, or {@link Long#MAX_VALUE}. */
    long deadlineNanos(long startNanos) {
        return deadline.isZero() ? Long.MAX_VALUE : startNanos + deadline.toNanos();
    }

    /** The KernelSHAP budget for {@code segments} segments: the set one, or {@code 2 M + 2048}, times the factor. */
    public int shapBudgetFor(int segments) {
        int budget = shapBudget == AUTOMATIC_SHAP_BUDGET ? 2 * segments + 2048 : shapBudget;
        return shapBudgetFactor == 1 ? budget : (int) Math.max(MIN_SHAP_BUDGET, Math.min(Integer.MAX_VALUE / 2,
                Math.round(budget * shapBudgetFactor)));
    }
}
