package dev.fmnist.xai;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/** Games with known structure for the explanation tests. */
final class Games {
    private Games() {
    }

    /** Coefficients of {@code m} segments, some negative, fixed by the seed. */
    static double[] coefficients(int m, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] beta = new double[m];
        for (int j = 0; j < m; j++) {
            beta[j] = random.nextDouble(-0.01, 0.02);
        }
        return beta;
    }

    /** {@code intercept + sum of beta_j over visible j}: every method must find beta exactly. */
    static ToDoubleFunction<boolean[]> additive(double intercept, double[] beta) {
        return visible -> {
            double v = intercept;
            for (int j = 0; j < beta.length; j++) {
                v += visible[j] ? beta[j] : 0;
            }
            return v;
        };
    }

    /**
     * An additive part plus pair interactions of neighbours, a three-way interaction and a threshold
     * on how much is visible: the Shapley values differ from the additive coefficients.
     */
    static ToDoubleFunction<boolean[]> withInteractions(double[] beta) {
        ToDoubleFunction<boolean[]> additive = additive(0.2, beta);
        return visible -> {
            int m = visible.length;
            double v = additive.applyAsDouble(visible);
            int shown = 0;
            for (int j = 0; j < m; j++) {
                shown += visible[j] ? 1 : 0;
                if (visible[j] && visible[(j + 1) % m]) {
                    v += 0.03 * ((j % 3) - 1);
                }
            }
            if (m >= 3 && visible[0] && visible[1] && visible[2]) {
                v += 0.06;
            }
            if (shown * 2 >= m) {
                v += 0.05;
            }
            return v;
        };
    }
}
