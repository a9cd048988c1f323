package dev.fmnist.explainer.xai;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.scoring.ModelScorer;
import java.util.Arrays;

/**
 * Scores perturbed copies of one image, the only way LIME, KernelSHAP and the deletion curve call
 * the model: each mask says which segments stay visible, hidden ones become 0, and the images go
 * to the model in batches of {@code batchSize} (one native call each, not one per image).
 *
 * <p>One instance serves one explanation on one thread; it counts the images it scored.
 */
final class MaskedScorer {
    private final ModelScorer model;
    private final float[] image;
    private final Segments segments;
    private final int targetClass;
    private final int batchSize;
    private int evaluations;

    MaskedScorer(ModelScorer model, float[] image, Segments segments, int targetClass, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.image = image;
        this.segments = segments;
        this.targetClass = targetClass;
        this.batchSize = batchSize;
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

    /** A mask with every segment visible ({@code true}) or every one hidden. */
    boolean[] uniformMask(boolean visible) {
        boolean[] mask = new boolean[segments.count()];
        Arrays.fill(mask, visible);
        return mask;
    }
}
