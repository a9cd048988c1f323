package dev.fmnist.xai;

import java.util.function.ToDoubleFunction;

/** Shapley values by brute force: the definition, summed over every coalition. */
final class Shapley {
    private Shapley() {
    }

    static double[] values(int m, ToDoubleFunction<boolean[]> game) {
        double[] v = new double[1 << m];
        for (int bits = 0; bits < v.length; bits++) {
            v[bits] = game.applyAsDouble(mask(bits, m));
        }
        double[] factorial = new double[m + 1];
        factorial[0] = 1;
        for (int i = 1; i <= m; i++) {
            factorial[i] = factorial[i - 1] * i;
        }
        double[] phi = new double[m];
        for (int j = 0; j < m; j++) {
            for (int bits = 0; bits < v.length; bits++) {
                if ((bits >>> j & 1) == 0) {
                    int s = Integer.bitCount(bits);
                    double weight = factorial[s] * factorial[m - s - 1] / factorial[m];
                    phi[j] += weight * (v[bits | 1 << j] - v[bits]);
                }
            }
        }
        return phi;
    }

    static boolean[] mask(int bits, int m) {
        boolean[] mask = new boolean[m];
        for (int j = 0; j < m; j++) {
            mask[j] = (bits >>> j & 1) == 1;
        }
        return mask;
    }
}
