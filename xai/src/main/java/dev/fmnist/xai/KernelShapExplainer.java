package dev.fmnist.xai;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * KernelSHAP over image segments: the Shapley values of the game {@code v(S)} = the target class's
 * probability with only the segments in S visible (the rest 0), as the solution of a weighted
 * linear regression of {@code v(S) - v(empty)} on the coalition masks, with the Shapley kernel
 * {@code (M - 1) / (C(M, |S|) |S| (M - |S|))} as weights and the efficiency constraint
 * {@code sum(phi) = v(full) - v(empty)} enforced exactly by eliminating the last segment's value.
 *
 * <ul>
 * <li>M &lt;= 14 segments: every one of the 2^M coalitions is scored, and the regression gives
 *     the exact Shapley values.</li>
 * <li>More: the budget (default {@code 2 M + 2048} evaluations) is spent as the reference
 *     {@code shap.KernelExplainer} spends it: coalition sizes whose kernel weight is largest (the
 *     smallest and largest coalitions) are enumerated completely while the budget covers them,
 *     the rest are sampled with probability proportional to the kernel weight of their size,
 *     each sample together with its complement (paired sampling); repeated samples add to one
 *     coalition's weight instead of costing another evaluation.</li>
 * </ul>
 * {@code baseValue} is v(empty), the probability of the all-background image, and {@code fullValue}
 * is v(full) = f(x); both in probability space.
 */
public final class KernelShapExplainer extends SegmentExplainer {
    /** Up to this many segments every coalition is enumerated (2^14 = 16,384 evaluations). */
    public static final int EXACT_MAX_SEGMENTS = 14;

    public KernelShapExplainer(ExplainerSettings settings) {
        super(settings);
    }

    @Override
    public String name() {
        return ExplanationStored.KERNEL_SHAP;
    }

    @Override
    Attribution attribute(ModelScorer model, float[] image, int targetClass, long seed, Segments segments,
                          MaskedScorer scorer, long start) {
        int m = segments.count();
        double[] ends = scorer.targetProbabilities(new boolean[][] {scorer.uniformMask(false), scorer.uniformMask(true)});
        double empty = ends[0];
        double full = ends[1];
        double[] phi;
        if (m == 1) {
            phi = new double[] {full - empty};
        } else {
            Coalitions coalitions = m <= EXACT_MAX_SEGMENTS ? allCoalitions(m)
                    : sampledCoalitions(m, settings.shapBudgetFor(m) - 2, seed);
            double[] values = scorer.targetProbabilities(coalitions.masks());
            phi = constrainedFit(coalitions, values, empty, full);
        }
        float[] segmentWeights = Explanations.toFloats(phi);
        return Explanations.assemble(name(), targetClass, scorer, segmentWeights, segments.spread(phi), empty, full,
                null, null, Explanations.efficiencyGap(segmentWeights, empty, full), scorer.evaluations(), start);
    }

    /** Coalitions (true = segment visible) and their regression weights. */
    record Coalitions(boolean[][] masks, double[] weights) {
    }

    /**
     * Solves the weighted regression {@code v(S) - v(empty) ~ sum_{j in S} phi_j} under
     * {@code sum_j phi_j = v(full) - v(empty)}: substituting {@code phi_last = delta - sum_{j<last} phi_j}
     * leaves an unconstrained problem in M - 1 unknowns.
     */
    static double[] constrainedFit(Coalitions coalitions, double[] values, double empty, double full) {
        boolean[][] masks = coalitions.masks();
        int m = masks[0].length;
        int last = m - 1;
        double delta = full - empty;
        double[][] x = new double[masks.length][last];
        double[] y = new double[masks.length];
        for (int i = 0; i < masks.length; i++) {
            double zLast = masks[i][last] ? 1 : 0;
            for (int j = 0; j < last; j++) {
                x[i][j] = (masks[i][j] ? 1 : 0) - zLast;
            }
            y[i] = values[i] - empty - zLast * delta;
        }
        double[] reduced = WeightedLeastSquares.fit(x, y, coalitions.weights(), 0, false);
        double[] phi = new double[m];
        double sum = 0;
        for (int j = 0; j < last; j++) {
            phi[j] = reduced[j];
            sum += reduced[j];
        }
        phi[last] = delta - sum;
        return phi;
    }

    /** Every coalition but the empty and full one, with its Shapley kernel weight. */
    static Coalitions allCoalitions(int m) {
        int count = (1 << m) - 2;
        boolean[][] masks = new boolean[count][m];
        double[] weights = new double[count];
        for (int bits = 1; bits <= count; bits++) {
            int size = Integer.bitCount(bits);
            for (int j = 0; j < m; j++) {
                masks[bits - 1][j] = (bits >>> j & 1) == 1;
            }
            weights[bits - 1] = (m - 1) / (binomial(m, size) * size * (m - size));
        }
        return new Coalitions(masks, weights);
    }

    /**
     * At most {@code budget} distinct coalitions for {@code m} segments: whole sizes while the budget
     * covers them, then paired samples (see the class comment). Weights are normalised so that each
     * size class (a size and its complement's size) carries its share of the total kernel weight.
     */
    static Coalitions sampledCoalitions(int m, int budget, long seed) {
        int coalitionBudget = m < 31 ? (int) Math.min(budget, (1L << m) - 2) : budget;
        int sizeClasses = m / 2; // sizes 1..ceil((M-1)/2) = M/2; size s stands for s and M - s
        double[] classWeight = new double[sizeClasses + 1];
        double total = 0;
        for (int s = 1; s <= sizeClasses; s++) {
            classWeight[s] = (m - 1.0) / (s * (double) (m - s)) * (paired(s, m) ? 2 : 1);
            total += classWeight[s];
        }
        for (int s = 1; s <= sizeClasses; s++) {
            classWeight[s] /= total;
        }
        List<boolean[]> masks = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        int left = coalitionBudget;
        double weightLeft = 1;
        int s = 1;
        for (; s <= sizeClasses; s++) {
            double subsets = binomial(m, s) * (paired(s, m) ? 2 : 1);
            // enumerate this size when sampling would be expected to draw each of its coalitions at least once
            if (left * (classWeight[s] / weightLeft) / subsets < 1 - 1e-8) {
                break;
            }
            double each = classWeight[s] / subsets;
            for (boolean[] mask : subsetsOfSize(m, s)) {
                masks.add(mask);
                weights.add(each);
                if (paired(s, m)) {
                    masks.add(complement(mask));
                    weights.add(each);
                }
            }
            left -= (int) subsets;
            weightLeft -= classWeight[s];
        }
        if (left > 0 && s <= sizeClasses) {
            sample(m, s, sizeClasses, classWeight, left, weightLeft, new SplittableRandom(seed), masks, weights);
        }
        double[] w = new double[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        return new Coalitions(masks.toArray(new boolean[0][]), w);
    }

    /**
     * Draws paired samples from size classes {@code firstSize..sizeClasses} until {@code left} new
     * coalitions are found (or four times as many draws failed to find them), then gives them
     * {@code weightLeft} in proportion to how often each was drawn.
     */
    private static void sample(int m, int firstSize, int sizeClasses, double[] classWeight, int left,
                               double weightLeft, SplittableRandom random, List<boolean[]> masks,
                               List<Double> weights) {
        Map<BitSet, Integer> seen = new HashMap<>();
        List<boolean[]> drawn = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int[] order = new int[m];
        for (int j = 0; j < m; j++) {
            order[j] = j;
        }
        long draws = 0;
        long maxDraws = 4L * left;
        while (drawn.size() < left && draws < maxDraws) {
            draws++;
            int size = drawSize(firstSize, sizeClasses, classWeight, random);
            boolean[] mask = new boolean[m];
            // partial Fisher-Yates: the first `size` places of a random permutation
            for (int i = 0; i < size; i++) {
                int j = i + random.nextInt(m - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
                mask[order[i]] = true;
            }
            count(mask, left, seen, drawn, counts);
            count(complement(mask), left, seen, drawn, counts);
        }
        long totalCount = 0;
        for (int c : counts) {
            totalCount += c;
        }
        for (int i = 0; i < drawn.size(); i++) {
            masks.add(drawn.get(i));
            weights.add(weightLeft * counts.get(i) / totalCount);
        }
    }

    /** Counts a drawn coalition: once more if seen, else as a new one while the budget lasts. */
    private static void count(boolean[] mask, int budget, Map<BitSet, Integer> seen, List<boolean[]> drawn,
                              List<Integer> counts) {
        BitSet key = new BitSet(mask.length);
        for (int j = 0; j < mask.length; j++) {
            if (mask[j]) {
                key.set(j);
            }
        }
        Integer index = seen.get(key);
        if (index != null) {
            counts.set(index, counts.get(index) + 1);
        } else if (drawn.size() < budget) {
            seen.put(key, drawn.size());
            drawn.add(mask);
            counts.add(1);
        }
    }

    /** A coalition size from {@code first..last}, with probability in proportion to its class weight. */
    private static int drawSize(int first, int last, double[] classWeight, SplittableRandom random) {
        double total = 0;
        for (int s = first; s <= last; s++) {
            total += classWeight[s];
        }
        double u = random.nextDouble() * total;
        for (int s = first; s < last; s++) {
            u -= classWeight[s];
            if (u < 0) {
                return s;
            }
        }
        return last;
    }

    /** Whether size s has a complement size M - s of its own (every size but M/2). */
    private static boolean paired(int s, int m) {
        return s != m - s;
    }

    private static boolean[] complement(boolean[] mask) {
        boolean[] out = new boolean[mask.length];
        for (int j = 0; j < mask.length; j++) {
            out[j] = !mask[j];
        }
        return out;
    }

    /** Every coalition of exactly {@code size} of {@code m} segments, in lexicographic order of members. */
    static List<boolean[]> subsetsOfSize(int m, int size) {
        List<boolean[]> out = new ArrayList<>();
        int[] members = new int[size];
        for (int i = 0; i < size; i++) {
            members[i] = i;
        }
        while (true) {
            boolean[] mask = new boolean[m];
            for (int member : members) {
                mask[member] = true;
            }
            out.add(mask);
            int i = size - 1;
            while (i >= 0 && members[i] == m - size + i) {
                i--;
            }
            if (i < 0) {
                return out;
            }
            members[i]++;
            for (int k = i + 1; k < size; k++) {
                members[k] = members[k - 1] + 1;
            }
        }
    }

    /** C(n, k) as a double (exact up to 2^53, then close; M is at most 784). */
    static double binomial(int n, int k) {
        double c = 1;
        for (int i = 0; i < Math.min(k, n - k); i++) {
            c = c * (n - i) / (i + 1);
        }
        return c;
    }
}
