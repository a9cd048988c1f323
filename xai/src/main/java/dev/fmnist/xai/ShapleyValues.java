package dev.fmnist.xai;

import java.util.SplittableRandom;

/**
 * Reference Shapley values of a {@link CoalitionGame}, for tests and the accuracy benchmark: exact
 * by enumerating all 2^n coalitions, or a permutation estimate with its own standard error.
 */
public final class ShapleyValues {
    /** Enumeration is allowed up to this many players (2^20 coalitions). */
    public static final int MAX_EXACT_PLAYERS = 20;

    private ShapleyValues() {
    }

    /**
     * A permutation estimate.
     *
     * @param values         the estimated Shapley values
     * @param standardErrors the standard error of each value (across antithetic permutation pairs)
     * @param permutations   permutations used (pairs of a permutation and its reverse, so even)
     * @param evaluations    coalitions scored
     */
    public record Estimate(double[] values, double[] standardErrors, int permutations, long evaluations) {
        /** {@code |standardErrors| / |values|} (Euclidean norms): the estimate's own relative error. */
        public double relativeStandardError() {
            double se = 0;
            double norm = 0;
            for (int j = 0; j < values.length; j++) {
                se += standardErrors[j] * standardErrors[j];
                norm += values[j] * values[j];
            }
            return norm == 0 ? (se == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(se / norm);
        }
    }

    /**
     * The exact Shapley values from all 2^n coalitions: {@code phi_j = sum over S without j of
     * |S|! (n - |S| - 1)! / n! (v(S + j) - v(S))}. Scores the coalitions in chunks of {@code chunk}.
     */
    public static double[] exact(CoalitionGame game, int chunk) {
        int n = game.players();
        if (n > MAX_EXACT_PLAYERS) {
            throw new IllegalArgumentException("exact Shapley values of " + n + " players would score 2^" + n
                    + " coalitions; at most " + MAX_EXACT_PLAYERS + " players");
        }
        if (n == 0) {
            return new double[0];
        }
        int total = 1 << n;
        double[] v = new double[total];
        boolean[][] masks = new boolean[Math.min(chunk, total)][];
        for (int from = 0; from < total; from += masks.length) {
            int count = Math.min(masks.length, total - from);
            boolean[][] batch = count == masks.length ? masks : new boolean[count][];
            for (int i = 0; i < count; i++) {
                batch[i] = mask(from + i, n);
            }
            double[] values = game.values(batch);
            System.arraycopy(values, 0, v, from, count);
        }
        return fromTable(v, n);
    }

    /** Shapley values from the worth of every coalition, {@code v[bits]} for the coalition whose members are the set bits. */
    public static double[] fromTable(double[] v, int n) {
        if (v.length != 1 << n) {
            throw new IllegalArgumentException("expected 2^" + n + " values, got " + v.length);
        }
        // weight(s) = s! (n - s - 1)! / n! = 1 / (n C(n - 1, s))
        double[] weight = new double[n];
        for (int s = 0; s < n; s++) {
            weight[s] = 1 / (n * KernelShapExplainer.binomial(n - 1, s));
        }
        double[] phi = new double[n];
        for (int bits = 0; bits < v.length; bits++) {
            double w = weight[Math.min(n - 1, Integer.bitCount(bits))];
            for (int j = 0; j < n; j++) {
                if ((bits >>> j & 1) == 0) {
                    phi[j] += w * (v[bits | 1 << j] - v[bits]);
                }
            }
        }
        return phi;
    }

    /**
     * Permutation sampling with antithetic pairs (each permutation and its reverse, whose marginal
     * contributions are averaged into one sample): adds pairs {@code pairsPerRound} at a time until
     * the relative standard error ({@link Estimate#relativeStandardError()}) is at most
     * {@code targetRelativeError} (after at least {@code minPairs} pairs) or {@code maxEvaluations}
     * coalitions were scored. Efficient by construction: every permutation's contributions sum to
     * {@code v(all) - v(none)}.
     */
    public static Estimate permutation(CoalitionGame game, double targetRelativeError, int minPairs, int pairsPerRound,
                                       long maxEvaluations, long seed) {
        int n = game.players();
        if (n == 0) {
            return new Estimate(new double[0], new double[0], 0, 0);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] ends = game.values(new boolean[][] {new boolean[n], allTrue(n)});
        long evaluations = 2;
        double[] sum = new double[n];
        double[] sumSquares = new double[n];
        int pairs = 0;
        int[] order = new int[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
        }
        while (true) {
            int round = pairsPerRound;
            int[][] orders = new int[round][];
            // per pair: the n - 1 proper prefixes of the permutation and of its reverse
            boolean[][] masks = new boolean[round * 2 * (n - 1)][];
            for (int r = 0; r < round; r++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                orders[r] = order.clone();
                boolean[] forward = new boolean[n];
                boolean[] backward = new boolean[n];
                for (int i = 0; i < n - 1; i++) {
                    forward[order[i]] = true;
                    backward[order[n - 1 - i]] = true;
                    masks[(2 * r) * (n - 1) + i] = forward.clone();
                    masks[(2 * r + 1) * (n - 1) + i] = backward.clone();
                }
            }
            double[] values = n > 1 ? game.values(masks) : new double[0];
            evaluations += masks.length;
            double[] sample = new double[n];
            for (int r = 0; r < round; r++) {
                java.util.Arrays.fill(sample, 0);
                for (int direction = 0; direction < 2; direction++) {
                    double previous = ends[0];
                    for (int i = 0; i < n; i++) {
                        int player = direction == 0 ? orders[r][i] : orders[r][n - 1 - i];
                        double current = i == n - 1 ? ends[1] : values[(2 * r + direction) * (n - 1) + i];
                        sample[player] += (current - previous) / 2;
                        previous = current;
                    }
                }
                for (int j = 0; j < n; j++) {
                    sum[j] += sample[j];
                    sumSquares[j] += sample[j] * sample[j];
                }
            }
            pairs += round;
            Estimate estimate = estimate(sum, sumSquares, pairs, evaluations);
            if (pairs >= minPairs && (estimate.relativeStandardError() <= targetRelativeError
                    || evaluations + (long) round * 2 * (n - 1) > maxEvaluations)) {
                return estimate;
            }
        }
    }

    private static Estimate estimate(double[] sum, double[] sumSquares, int pairs, long evaluations) {
        int n = sum.length;
        double[] mean = new double[n];
        double[] se = new double[n];
        for (int j = 0; j < n; j++) {
            mean[j] = sum[j] / pairs;
            double variance = pairs > 1 ? Math.max(0, (sumSquares[j] - pairs * mean[j] * mean[j]) / (pairs - 1)) : 0;
            se[j] = Math.sqrt(variance / pairs);
        }
        return new Estimate(mean, se, 2 * pairs, evaluations);
    }

    static boolean[] mask(int bits, int n) {
        boolean[] mask = new boolean[n];
        for (int j = 0; j < n; j++) {
            mask[j] = (bits >>> j & 1) == 1;
        }
        return mask;
    }

    private static boolean[] allTrue(int n) {
        boolean[] mask = new boolean[n];
        java.util.Arrays.fill(mask, true);
        return mask;
    }
}
