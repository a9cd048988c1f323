package dev.fmnist.xai;

import dev.fmnist.common.Pixels;
import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.Arrays;

/**
 * Scores perturbed copies of one image, the only way LIME, KernelSHAP and the deletion curve call
 * the model: each mask says which segments stay visible, hidden ones become the fill value 0, and
 * the images go to the model in batches of {@code batchSize} (one native call each, not one per
 * image).
 *
 * <p><b>Null segments.</b> A segment whose pixels all equal the fill value already looks hidden:
 * hiding it changes no pixel, so no method needs to vary it (its Shapley value is exactly 0). The
 * masks of this class range over the other segments only, the <em>players</em> ({@link #players()},
 * {@link #activeSegments()}); {@link #toSegments} puts per-player values back in segment order with
 * 0 for every null segment. As a {@link CoalitionGame}, {@code v(S)} is the target class's output
 * with only the players in S visible, in the explanation's {@link OutputSpace} (the probability,
 * or the centred log-probability computed from the ten probabilities).
 *
 * <p>One instance serves one explanation on one thread, created when the explanation starts; it
 * counts the images it scored, and before each model call checks the explanation's deadline
 * ({@link ExplainerSettings#deadline()}): past it, {@link DeadlineExceededException}.
 */
public final class MaskedScorer implements CoalitionGame {
    /** What a hidden pixel becomes. */
    public static final float FILL = 0f;

    private final ModelScorer model;
    private final float[] image;
    private final Segments segments;
    private final int targetClass;
    private final int batchSize;
    private final OutputSpace space;
    private final ExplainerSettings settings;
    private final long startNanos;
    private final long deadlineNanos;
    /** Segment index of each player, ascending. */
    private final int[] active;
    /** The pixels of each player, and the pixels whose value is not the fill value at all. */
    private final int[][] playerPixels;
    private int evaluations;

    /** A scorer in probability space without a deadline (the tests' games are probabilities). */
    MaskedScorer(ModelScorer model, float[] image, Segments segments, int targetClass, int batchSize) {
        this(model, image, segments, targetClass, batchSize,
                ExplainerSettings.defaults().withBatchSize(batchSize).withOutputSpace(OutputSpace.PROBABILITY));
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
        this.space = settings.outputSpace();
        this.settings = settings;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = settings.deadlineNanos(startNanos);
        boolean[] isNull = segments.nullSegments(image, FILL);
        int k = 0;
        for (boolean n : isNull) {
            k += n ? 0 : 1;
        }
        active = new int[k];
        int[] playerOf = new int[segments.count()];
        for (int s = 0, i = 0; s < isNull.length; s++) {
            playerOf[s] = isNull[s] ? -1 : i;
            if (!isNull[s]) {
                active[i++] = s;
            }
        }
        int[] counts = new int[k];
        short[] ids = segments.ids();
        for (int p = 0; p < Pixels.COUNT; p++) {
            int player = playerOf[ids[p]];
            if (player >= 0 && image[p] != FILL) {
                counts[player]++;
            }
        }
        playerPixels = new int[k][];
        for (int i = 0; i < k; i++) {
            playerPixels[i] = new int[counts[i]];
        }
        Arrays.fill(counts, 0);
        for (int p = 0; p < Pixels.COUNT; p++) {
            int player = playerOf[ids[p]];
            if (player >= 0 && image[p] != FILL) {
                playerPixels[player][counts[player]++] = p;
            }
        }
    }

    /**
     * The game of one image for the accuracy benchmark and tests: {@code v(S)} = the model's
     * output for {@code targetClass} in {@code settings}' output space with only the non-null
     * segments in S visible, segmented and batched as {@code settings} say.
     */
    public static MaskedScorer of(ModelScorer model, float[] image, int targetClass, ExplainerSettings settings) {
        Explanations.require(model, image, targetClass);
        return new MaskedScorer(model, image, Segments.of(settings.segmentation(), image), targetClass, settings);
    }

    /** The space of {@link #values}. */
    public OutputSpace outputSpace() {
        return space;
    }

    public Segments segments() {
        return segments;
    }

    /** Images scored so far. */
    public int evaluations() {
        return evaluations;
    }

    /** The settings of the explanation this scorer serves (output space, batch size, deadline, KernelSHAP's budget). */
    ExplainerSettings settings() {
        return settings;
    }

    /** The non-null segments, the players of the game. */
    @Override
    public int players() {
        return active.length;
    }

    /** The segment index of each player, ascending. */
    public int[] activeSegments() {
        return active.clone();
    }

    /** Per-player values in segment order: one per segment, 0 for each null segment. */
    public double[] toSegments(double[] playerValues) {
        if (playerValues.length != active.length) {
            throw new IllegalArgumentException("expected one value per non-null segment (" + active.length + "), got "
                    + playerValues.length);
        }
        double[] out = new double[segments.count()];
        for (int i = 0; i < active.length; i++) {
            out[active[i]] = playerValues[i];
        }
        return out;
    }

    @Override
    public double[] values(boolean[][] coalitions) {
        return targetValues(coalitions);
    }

    /** The target class's output in the output space for the image under each mask over the players, in order. */
    double[] targetValues(boolean[][] masks) {
        double[] out = new double[masks.length];
        float[] batch = new float[Math.min(batchSize, Math.max(1, masks.length)) * Pixels.COUNT];
        for (int from = 0; from < masks.length; from += batchSize) {
            int n = Math.min(batchSize, masks.length - from);
            checkDeadline();
            for (int i = 0; i < n; i++) {
                mask(masks[from + i], batch, i * Pixels.COUNT);
            }
            float[] probabilities = model.score(batch, n);
            for (int i = 0; i < n; i++) {
                out[from + i] = space.of(probabilities, i * ModelScorer.OUTPUT_SIZE, targetClass);
            }
        }
        evaluations += masks.length;
        return out;
    }

    /** Writes the image with the players that {@code visible} marks false (and every null segment) at the fill value. */
    private void mask(boolean[] visible, float[] out, int offset) {
        if (visible.length != active.length) {
            throw new IllegalArgumentException("expected one value per non-null segment (" + active.length + "), got "
                    + visible.length);
        }
        Arrays.fill(out, offset, offset + Pixels.COUNT, FILL);
        for (int i = 0; i < visible.length; i++) {
            if (visible[i]) {
                for (int p : playerPixels[i]) {
                    out[offset + p] = image[p];
                }
            }
        }
    }

    /** Throws {@link DeadlineExceededException} once the explanation's deadline has passed. */
    void checkDeadline() {
        long now = System.nanoTime();
        if (now - deadlineNanos > 0) {
            throw new DeadlineExceededException((now - startNanos) / 1_000_000, evaluations);
        }
    }

    /** A mask over the players with every one visible ({@code true}) or every one hidden. */
    boolean[] uniformMask(boolean visible) {
        boolean[] mask = new boolean[active.length];
        Arrays.fill(mask, visible);
        return mask;
    }
}
