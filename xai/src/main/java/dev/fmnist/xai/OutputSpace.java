package dev.fmnist.xai;

import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.Arrays;
import java.util.Locale;

/**
 * The quantity every explanation of a model explains: the worth {@code v(S)} of the coalition game,
 * the base value, f(x), the segment weights, the efficiency gap and the deletion curve are all in
 * this space, so the maps of LIME, KernelSHAP and TreeSHAP of one model can be compared.
 *
 * <ul>
 * <li>{@link #PROBABILITY}: the target class's probability p_c, in [0, 1].</li>
 * <li>{@link #LOG_ODDS}: the target class's <em>centred log-probability</em>
 *     {@code log p_c - mean_j log p_j} over the ten classes. For a softmax over logits z this is
 *     exactly {@code z_c - mean_j z_j} (the softmax's normaliser cancels), so it is computed from
 *     the probabilities of any model alone, and for XGBoost's {@code multi:softprob}, whose margins
 *     are those z, TreeSHAP's values in this space are {@code phi_c - mean_j phi_j} of its per-class
 *     contributions, exact by the linearity of Shapley values ({@link TreeShapExplainer}). The
 *     binary logit {@code log(p_c / (1 - p_c))} has no such identity (TreeSHAP could not be exact
 *     in it), and KernelSHAP measured less accurate in it (relative L2 error 0.068 against 0.049 at the
 *     default budget on lenet's validation images; docs/explainer.md, "Output space").</li>
 * </ul>
 *
 * <p>Probabilities are clamped below at {@link #PROBABILITY_FLOOR}, the smallest normal float:
 * a float32 softmax that gives less has underflowed (0, or a denormal without precision), and
 * {@code log 0} would make the game infinite. With the floor a class's log-probability is at least
 * {@code log(1.2e-38) = -87.3}, a logit gap the models here never reach.
 */
public enum OutputSpace {
    PROBABILITY, LOG_ODDS;

    /** Smallest probability the log is taken of ({@link Float#MIN_NORMAL}, about 1.18e-38). */
    public static final double PROBABILITY_FLOOR = Float.MIN_NORMAL;

    /** The value stored in {@code xai.explanation.output_space} and given in configuration: {@code probability}, {@code log_odds}. */
    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The space named {@code name} ({@code probability} or {@code log_odds}, any case, {@code -} for {@code _}). */
    public static OutputSpace parse(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (OutputSpace s : values()) {
            if (s.name().equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("output space must be probability or log_odds, got '" + name + "'");
    }

    /**
     * The target class's value in this space from one image's probabilities,
     * {@code probabilities[offset .. offset + 10)}.
     */
    public double of(float[] probabilities, int offset, int targetClass) {
        if (this == PROBABILITY) {
            return probabilities[offset + targetClass];
        }
        double sum = 0;
        for (int j = 0; j < ModelScorer.OUTPUT_SIZE; j++) {
            sum += Math.log(Math.max(PROBABILITY_FLOOR, probabilities[offset + j]));
        }
        return Math.log(Math.max(PROBABILITY_FLOOR, probabilities[offset + targetClass])) - sum / ModelScorer.OUTPUT_SIZE;
    }

    /** The centred value {@code x_c - mean_j x_j} of per-class values (margins, or per-class contributions). */
    public static double centred(double[] perClass, int targetClass) {
        return perClass[targetClass] - Arrays.stream(perClass).average().orElse(0);
    }
}
