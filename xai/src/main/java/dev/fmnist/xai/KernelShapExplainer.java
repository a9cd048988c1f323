package dev.fmnist.xai;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * KernelSHAP over image segments: the Shapley values of the game {@code v(S)} = the target class's
 * output with only the segments in S visible (the rest 0), in the settings' {@link OutputSpace}
 * (probability or centred log-probability), as the solution of a weighted
 * linear regression of {@code v(S) - v(empty)} on the coalition masks, with the Shapley kernel
 * {@code (M - 1) / (C(M, |S|) |S| (M - |S|))} as weights and the efficiency constraint
 * {@code sum(phi) = v(full) - v(empty)} enforced exactly by eliminating the last segment's value.
 *
 * <p>The players are the non-null segments only ({@link MaskedScorer}): a segment whose pixels are
 * all the fill value 0 is hidden already, its Shapley value is exactly 0, and it costs no
 * evaluation. M below counts the others.
 *
 * <ul>
 * <li>M &lt;= 14, or a budget that covers all 2^M coalitions: every coalition is scored and the
 *     values are the exact Shapley values ({@link ShapleyValues#fromTable}).</li>
 * <li>More: the budget (default {@code 2 M + 2048} evaluations) is spent as follows. It is shared
 *     evenly among the coalition sizes 1..M-1 (stratified, not drawn at random; a size class, a size
 *     s and its complement's size M - s, gets two shares): sampling sizes uniformly is sampling by
 *     the leverage scores of the regression ({@link #sizeShares}), which measured more accurate
 *     than shares in proportion to the kernel weight as {@code shap.KernelExplainer} spends them. A
 *     class whose share covers all its coalitions (the smallest and largest sizes, for small M) is
 *     enumerated; within the others distinct coalitions are drawn, each together with its complement
 *     (paired sampling, which makes the estimate exact for any game of pairwise interactions), in
 *     balanced rounds: every player in about as many of a class's coalitions as any other
 *     ({@link #drawBalanced}). Each class carries exactly its share of the total kernel weight in the
 *     regression.</li>
 * </ul>
 * {@code baseValue} is v(empty), the output for the all-background image, and {@code fullValue}
 * is v(full) = f(x); both in the output space.
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
        int k = scorer.players();
        double[] ends = scorer.targetValues(new boolean[][] {scorer.uniformMask(false), scorer.uniformMask(true)});
        double empty = ends[0];
        double full = ends[1];
        double[] phi = scorer.toSegments(shapleyValues(scorer, empty, full, scorer.settings().shapBudgetFor(k) - 2, seed));
        float[] segmentWeights = Explanations.toFloats(phi);
        return Explanations.assemble(name(), settings.segmentation(), targetClass, scorer, segmentWeights, segments.spread(phi), empty, full,
                null, null, Explanations.efficiencyGap(segmentWeights, empty, full), scorer.evaluations(), start);
    }

    /**
     * The KernelSHAP estimate of the Shapley values of {@code game}, whose worth of the empty and the
     * full coalition are {@code empty} and {@code full}, spending at most {@code coalitionBudget}
     * evaluations on the other coalitions (exact by enumeration when they fit, or up to
     * {@link #EXACT_MAX_SEGMENTS} players).
     */
    public static double[] shapleyValues(CoalitionGame game, double empty, double full, int coalitionBudget, long seed) {
        int k = game.players();
        Coalitions plan = plan(k, coalitionBudget, seed);
        return solve(plan, plan.masks().length == 0 ? new double[0] : game.values(plan.masks()), empty, full);
    }

    /**
     * The coalitions KernelSHAP scores for {@code k} players besides the empty and the full one: every
     * coalition when they fit in {@code coalitionBudget} (or up to {@link #EXACT_MAX_SEGMENTS} players),
     * else the stratified paired sample of the class comment; none for fewer than 2 players.
     */
    static Coalitions plan(int k, int coalitionBudget, long seed) {
        if (k < 2) {
            double[] inclusion = new double[k + 1];
            Arrays.fill(inclusion, 1);
            return new Coalitions(new boolean[0][], new double[0], true, inclusion);
        }
        if (k <= EXACT_MAX_SEGMENTS || (k < 31 && (1L << k) - 2 <= coalitionBudget)) {
            return allCoalitions(k);
        }
        return sampledCoalitions(k, Math.max(1, coalitionBudget), seed);
    }

    /**
     * The Shapley value estimate from the worth {@code values} of {@code plan}'s coalitions, in order,
     * and of the empty and the full coalition: exact from the table when the plan enumerates them all,
     * else the constrained regression.
     */
    static double[] solve(Coalitions plan, double[] values, double empty, double full) {
        int k = plan.inclusionBySize().length - 1;
        if (k == 0) {
            return new double[0];
        }
        if (k == 1) {
            return new double[] {full - empty};
        }
        if (plan.exhaustive()) {
            double[] table = new double[1 << k];
            table[0] = empty;
            System.arraycopy(values, 0, table, 1, values.length);
            table[table.length - 1] = full;
            return ShapleyValues.fromTable(table, k);
        }
        return constrainedFit(plan, values, empty, full);
    }

    /**
     * Coalitions (true = segment visible) and their regression weights; {@code exhaustive} when they are
     * every coalition but the empty and the full one, in the order of their bits; {@code inclusionBySize[s]}
     * is the chance that a given coalition of size s is among them (1 for sizes 0 and M, which are always
     * scored, and for enumerated sizes), which {@link LimeAndKernelShap} needs to reuse them as LIME samples.
     */
    record Coalitions(boolean[][] masks, double[] weights, boolean exhaustive, double[] inclusionBySize) {
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
        double[] inclusion = new double[m + 1];
        Arrays.fill(inclusion, 1);
        return new Coalitions(masks, weights, true, inclusion);
    }

    /**
     * At most {@code budget} distinct coalitions for {@code m} segments: whole sizes while the budget
     * covers them, then paired samples (see the class comment). Weights are normalised so that each
     * size class (a size and its complement's size) carries its share of the total kernel weight.
     */
    static Coalitions sampledCoalitions(int m, int budget, long seed) {
        return stratifiedCoalitions(m, budget, seed, true);
    }

    /**
     * The sizes of {@code m} players as KernelSHAP weighs them: {@code w[s]} for size class s =
     * 1..m/2 (a size and its complement's size M - s together), normalised to sum 1.
     */
    static double[] classWeights(int m) {
        int sizeClasses = m / 2;
        double[] classWeight = new double[sizeClasses + 1];
        double total = 0;
        for (int s = 1; s <= sizeClasses; s++) {
            classWeight[s] = (m - 1.0) / (s * (double) (m - s)) * (paired(s, m) ? 2 : 1);
            total += classWeight[s];
        }
        for (int s = 1; s <= sizeClasses; s++) {
            classWeight[s] /= total;
        }
        return classWeight;
    }

    /**
     * At most {@code budget} distinct coalitions for {@code m} players, stratified by size: the budget
     * is shared evenly among the sizes 1..M-1 (a class of a size and its complement gets two shares);
     * a class whose share covers all its coalitions is enumerated and the rest shared again; within a
     * class, distinct coalitions drawn without replacement in balanced rounds ({@code balanced}, the
     * explainer's; else independently, kept for the comparison of {@code CoalitionSamplerComparison}), each
     * with its complement (paired sampling). Each coalition of a class gets the class's kernel weight divided by the
     * coalitions drawn from it, so every class carries exactly its share of the total kernel weight
     * (no randomness in how much of the budget a size gets).
     */
    static Coalitions stratifiedCoalitions(int m, int budget, long seed, boolean balanced) {
        int coalitionBudget = m < 31 ? (int) Math.min(budget, (1L << m) - 2) : budget;
        int sizeClasses = m / 2;
        double[] classWeight = classWeights(m);
        // the budget goes to the sizes evenly (see the class comment); the regression weights stay the kernel's
        double[] allocWeight = sizeShares(m);
        List<boolean[]> masks = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        double[] inclusion = new double[m + 1];
        inclusion[0] = 1;
        inclusion[m] = 1;
        int left = coalitionBudget;
        double weightLeft = 1;
        int s = 1;
        for (; s <= sizeClasses; s++) {
            double subsets = classSize(m, s);
            if (left * (allocWeight[s] / weightLeft) / subsets < 1 - 1e-8) {
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
            inclusion[s] = 1;
            inclusion[m - s] = 1;
            left -= (int) subsets;
            weightLeft -= allocWeight[s];
        }
        if (left > 1 && s <= sizeClasses) {
            int[] counts = allocate(m, s, sizeClasses, allocWeight, left);
            SplittableRandom random = new SplittableRandom(seed);
            for (int c = s; c <= sizeClasses; c++) {
                if (counts[c] == 0) {
                    continue;
                }
                List<boolean[]> drawn = counts[c] >= classSize(m, c) ? wholeClass(m, c)
                        : balanced ? drawBalanced(m, c, counts[c], random) : drawPaired(m, c, counts[c], random);
                double each = classWeight[c] / drawn.size();
                inclusion[c] = drawn.size() / classSize(m, c);
                inclusion[m - c] = inclusion[c];
                for (boolean[] mask : drawn) {
                    masks.add(mask);
                    weights.add(each);
                }
            }
        }
        double[] w = new double[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        return new Coalitions(masks.toArray(new boolean[0][]), w, false, inclusion);
    }

    /**
     * How the sampling budget is shared among size classes: evenly per size, so a class of two sizes
     * (s and M - s) gets 2 / (M - 1) and the middle class of an even M 1 / (M - 1). Sampling sizes
     * uniformly is sampling by the leverage scores of KernelSHAP's regression (Musco and Witter,
     * "Provably accurate Shapley value estimation via leverage score sampling", 2024); measured on 24
     * validation images of lenet in log-odds at the default budget it gave a relative L2 error of 0.049
     * against 0.053 for shares in proportion to the kernel weight (docs/explainer.md, "Output space").
     */
    static double[] sizeShares(int m) {
        double[] share = new double[m / 2 + 1];
        for (int s = 1; s <= m / 2; s++) {
            share[s] = (paired(s, m) ? 2.0 : 1.0) / (m - 1);
        }
        return share;
    }

    /** Coalitions in size class s: C(m, s), twice over when M - s is another size. */
    private static double classSize(int m, int s) {
        return binomial(m, s) * (paired(s, m) ? 2 : 1);
    }

    /**
     * How many coalitions each class {@code first..last} gets of {@code left}: shares in proportion
     * to {@code classWeight}, each capped at the class's size (the surplus shared again),
     * even numbers (pairs), the rounding left over given by largest remainder.
     */
    static int[] allocate(int m, int first, int last, double[] classWeight, int left) {
        int[] counts = new int[last + 1];
        boolean[] capped = new boolean[last + 1];
        int budget = left;
        while (true) {
            double total = 0;
            for (int c = first; c <= last; c++) {
                total += capped[c] ? 0 : classWeight[c];
            }
            boolean newlyCapped = false;
            for (int c = first; c <= last; c++) {
                if (!capped[c] && budget * classWeight[c] / total >= classSize(m, c)) {
                    capped[c] = true;
                    counts[c] = (int) classSize(m, c);
                    budget -= counts[c];
                    newlyCapped = true;
                }
            }
            if (!newlyCapped || total == 0) {
                double[] remainders = new double[last + 1];
                int given = 0;
                for (int c = first; c <= last; c++) {
                    if (!capped[c] && total > 0) {
                        double share = budget * classWeight[c] / total / 2;
                        counts[c] = 2 * (int) Math.floor(share);
                        remainders[c] = share - Math.floor(share);
                        given += counts[c];
                    }
                }
                while (budget - given >= 2) {
                    int best = -1;
                    for (int c = first; c <= last; c++) {
                        if (!capped[c] && (best < 0 || remainders[c] > remainders[best])) {
                            best = c;
                        }
                    }
                    if (best < 0 || remainders[best] < 0) {
                        break;
                    }
                    counts[best] += 2;
                    remainders[best] = -1;
                    given += 2;
                }
                return counts;
            }
        }
    }

    /** Every coalition of class s (size s and, for a paired class, size M - s). */
    private static List<boolean[]> wholeClass(int m, int s) {
        List<boolean[]> out = new ArrayList<>();
        for (boolean[] mask : subsetsOfSize(m, s)) {
            out.add(mask);
            if (paired(s, m)) {
                out.add(complement(mask));
            }
        }
        return out;
    }

    /** {@code count} distinct coalitions of class s, drawn uniformly as pairs of a size-s set and its complement. */
    private static List<boolean[]> drawPaired(int m, int s, int count, SplittableRandom random) {
        List<boolean[]> out = new ArrayList<>();
        Set<BitSet> seen = new HashSet<>();
        int[] order = new int[m];
        for (int j = 0; j < m; j++) {
            order[j] = j;
        }
        long attempts = 0;
        while (out.size() + 1 < count && attempts++ < 20L * count) {
            BitSet key = new BitSet(m);
            for (int i = 0; i < s; i++) {
                int j = i + random.nextInt(m - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
                key.set(order[i]);
            }
            addPairIfNew(key, m, seen, out);
        }
        return out;
    }

    /** Adds the coalition {@code key} and its complement to {@code out} unless either was drawn before; false if so. */
    private static boolean addPairIfNew(BitSet key, int m, Set<BitSet> seen, List<boolean[]> out) {
        BitSet other = (BitSet) key.clone();
        other.flip(0, m);
        if (seen.contains(key) || seen.contains(other)) {
            return false;
        }
        seen.add(key);
        seen.add(other);
        boolean[] mask = new boolean[m];
        for (int j = key.nextSetBit(0); j >= 0; j = key.nextSetBit(j + 1)) {
            mask[j] = true;
        }
        out.add(mask);
        out.add(complement(mask));
        return true;
    }

    /**
     * {@code count} distinct coalitions of class s as pairs of a size-s set and its complement, the size-s sets
     * drawn in rounds: each set takes s players uniformly from those not yet in a set this round, and when fewer
     * than s are left it takes them all and the rest from the next round. So within a class every player is in
     * as many sets as any other, give or take one, where independent draws scatter binomially; each set is
     * still a uniform draw of s players. Measured on lenet's validation images: 11 % less KernelSHAP error at
     * the same budget (docs/explainer.md, "Balanced coalitions").
     */
    static List<boolean[]> drawBalanced(int m, int s, int count, SplittableRandom random) {
        List<boolean[]> out = new ArrayList<>();
        Set<BitSet> seen = new HashSet<>();
        int[] pool = new int[m]; // pool[0 .. unused): the players not yet in a set this round
        for (int j = 0; j < m; j++) {
            pool[j] = j;
        }
        int unused = m;
        long attempts = 0;
        while (out.size() + 1 < count && attempts++ < 20L * count) {
            BitSet key = new BitSet(m);
            int fromRound = Math.min(s, unused);
            for (int i = 0; i < fromRound; i++) { // partial Fisher-Yates: the chosen end up at the top of the range
                int j = random.nextInt(unused - i);
                swap(pool, j, unused - 1 - i);
                key.set(pool[unused - 1 - i]);
            }
            int fromNext = s - fromRound;
            if (fromNext > 0) {
                // the round is over (unused == fromRound, those players at pool[0 .. unused)): the rest of the set
                // comes from the next round, among the players not in it already
                for (int i = 0; i < fromNext; i++) {
                    int j = unused + random.nextInt(m - unused - i);
                    swap(pool, j, m - 1 - i);
                    key.set(pool[m - 1 - i]);
                }
            }
            if (addPairIfNew(key, m, seen, out)) {
                unused = fromNext > 0 ? m - fromNext : unused - fromRound;
            } else if (unused < 2 * s) {
                // drawn before, and the rest of this round holds few other sets (a class sampled densely): start
                // the next round; when sparse this is rare, so the balance holds where it matters
                unused = m;
            }
        }
        return out;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
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
