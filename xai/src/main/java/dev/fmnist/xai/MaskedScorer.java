package dev.fmnist.xai;

import dev.fmnist.common.Pixels;
import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.Arrays;

/**
 * Scores perturbed copies of one image, the only way LIME, KernelSHAP and the deletion curve call
 * the model: each mask says which segments stay visible, hidden ones become 0, and the images go
 * to the model in batches of {@code batchSize} (one native call each, not one per image).
 *
 * <p>One instance serves one explanation on one thread, created when the explanation starts; it
 * counts the images it scored, and before each model call checks the explanation's deadline
 * ({@link ExplainerSettings#deadline()}): past it, {@link DeadlineExceededException}.
 */
final class MaskedScorer {
    private final ModelScorer model;
    private final float[] image;
    private final Segments segments;
    private final int targetClass;
    private final int batchSize;
    private final long startNanos;
    private final long deadlineNanos;
    private int evaluations;

    MaskedScorer(ModelScorer model, float[] image, Segments segments, int targetClass, int batchSize) {
        this(model, image, segments, targetClass, batchSize, ExplainerSettings.defaults().withBatchSize(batchSize));
    }

    /** A scorer whose explanation started now, with the batch size and deadline of {@code settings}. */
    MaskedScorer(ModelScorer model, float[] image, Segments segments, int targetClass, ExplainerSettings settings) {
        this(model, image, segments, targetClass, settings.batchSize(), settings);
    }

    private MaskedScorer(ModelScorer model, float[] image, Segments segments, int targetClass, int batchSize,
                         ExplainerSettings settings) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.image = image;
        this.segments = segments;
        this.targetClass = targetClass;
        this.batchSize = batchSize;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = settings.deadlineNanos(startNanos);
    }

    Segments segments() {
        return segments;
    }

    /** Images scored so far. */
    int evaluations() {
        return evaluations;
    }

    /** The target class's probability for the image under each mask, in order. */
    double[] targetProbabilities(boolean[][] masks) {
        double[] out = new double[masks.length];
        float[] batch = new float[Math.min(batchSize, Math.max(1, masks.length)) * Pixels.COUNT];
        for (int from = 0; from < masks.length; from += batchSize) {
            int n = Math.min(batchSize, masks.length - from);
            checkDeadline();
            for (int i = 0; i < n; i++) {
                segments.mask(image, masks[from + i], batch, i * Pixels.COUNT);
            }
            float[] probabilities = model.score(batch, n);
            for (int i = 0; i < n; i++) {
                out[from + i] = probabilities[i * ModelScorer.OUTPUT_SIZE + targetClass];
            }
        }
        evaluations += masks.length;
        return out;
    }

    /** Throws {@link DeadlineExceededException} once the explanation's deadline has passed. */
    void checkDeadline() {
        long now = System.nanoTime();
        if (now - deadlineNanos > 0) {
            throw new DeadlineExceededException((now - startNanos) / 1_000_000, evaluations);
        }
    }

    /** A mask with every segment visible ({@code true}) or every one hidden. */
    boolean[] uniformMask(boolean visible) {
        boolean[] mask = new boolean[segments.count()];
        Arrays.fill(mask, visible);
        return mask;
    }
}
