package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The references the accuracy benchmark measures KernelSHAP against, and KernelSHAP against them:
 * exact enumeration and the permutation estimate on games whose Shapley values are known in closed
 * form.
 */
class ShapleyValuesTest {

    /** {@code c + sum b_j z_j + sum_{j<l} theta_jl z_j z_l}: phi_j = b_j + (1/2) sum_l theta_jl. */
    record Quadratic(double c, double[] b, double[][] theta) implements ToDoubleFunction<boolean[]> {
        static Quadratic random(int n, long seed, double interaction) {
            SplittableRandom r = new SplittableRandom(seed);
            double[] b = new double[n];
            double[][] theta = new double[n][n];
            for (int j = 0; j < n; j++) {
                b[j] = r.nextDouble(-0.05, 0.1);
                for (int l = j + 1; l < n; l++) {
                    theta[j][l] = r.nextDouble(-interaction, interaction);
                    theta[l][j] = theta[j][l];
                }
            }
            return new Quadratic(0.1, b, theta);
        }

        @Override
        public double applyAsDouble(boolean[] z) {
            double v = c;
            for (int j = 0; j < b.length; j++) {
                if (z[j]) {
                    v += b[j];
                    for (int l = j + 1; l < b.length; l++) {
                        v += z[l] ? theta[j][l] : 0;
                    }
                }
            }
            return v;
        }

        double[] shapley() {
            double[] phi = b.clone();
            for (int j = 0; j < b.length; j++) {
                for (int l = 0; l < b.length; l++) {
                    phi[j] += theta[j][l] / 2;
                }
            }
            return phi;
        }
    }

    static CoalitionGame game(int n, ToDoubleFunction<boolean[]> v) {
        return new CoalitionGame() {
            @Override
            public int players() {
                return n;
            }

            @Override
            public double[] values(boolean[][] coalitions) {
                double[] out = new double[coalitions.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = v.applyAsDouble(coalitions[i]);
                }
                return out;
            }
        };
    }

    @Test
    void exactEnumerationGivesTheClosedFormOfAQuadraticGame() {
        Quadratic q = Quadratic.random(10, 3, 0.02);
        assertThat(ShapleyValues.exact(game(10, q), 100)).containsExactly(q.shapley(), within(1e-12));
        // and the definition summed by brute force agrees
        assertThat(ShapleyValues.exact(game(10, q), 7)).containsExactly(Shapley.values(10, q), within(1e-12));
    }

    @Test
    void exactEnumerationOfUnanimityAndMajorityGames() {
        // unanimity of T = {1, 4, 6}: 1/|T| to each member, 0 to the rest
        ToDoubleFunction<boolean[]> unanimity = z -> z[1] && z[4] && z[6] ? 1 : 0;
        double[] phi = ShapleyValues.exact(game(8, unanimity), 256);
        assertThat(phi).containsExactly(new double[] {0, 1 / 3.0, 0, 0, 1 / 3.0, 0, 1 / 3.0, 0}, within(1e-12));
        // a symmetric majority game: every player gets 1/n
        ToDoubleFunction<boolean[]> majority = z -> KernelShapExplainerTest.count(z) >= 5 ? 1 : 0;
        double[] equal = new double[9];
        java.util.Arrays.fill(equal, 1 / 9.0);
        assertThat(ShapleyValues.exact(game(9, majority), 64)).containsExactly(equal, within(1e-12));
        assertThat(ShapleyValues.exact(game(0, majority), 64)).isEmpty();
        assertThat(ShapleyValues.exact(game(1, z -> z[0] ? 0.7 : 0.2), 64)).containsExactly(new double[] {0.5},
                within(1e-12));
    }

    @Test
    void permutationEstimateConvergesToTheExactValuesWithinItsStandardError() {
        int n = 12;
        ToDoubleFunction<boolean[]> v = Games.withInteractions(Games.coefficients(n, 5));
        double[] exact = ShapleyValues.exact(game(n, v), 512);
        ShapleyValues.Estimate e = ShapleyValues.permutation(game(n, v), 0.01, 50, 50, 5_000_000, 1);
        assertThat(e.relativeStandardError()).isLessThanOrEqualTo(0.01);
        double sq = 0;
        double norm = 0;
        for (int j = 0; j < n; j++) {
            // each value within 5 of its standard errors (and efficiency holds for every permutation)
            assertThat(e.values()[j]).as("player " + j).isCloseTo(exact[j], within(5 * e.standardErrors()[j] + 1e-12));
            sq += (e.values()[j] - exact[j]) * (e.values()[j] - exact[j]);
            norm += exact[j] * exact[j];
        }
        assertThat(Math.sqrt(sq / norm)).isLessThan(0.03);
        assertThat(java.util.Arrays.stream(e.values()).sum())
                .isCloseTo(v.applyAsDouble(KernelShapExplainerTest.allVisible(n)) - v.applyAsDouble(new boolean[n]),
                        within(1e-9));
        assertThat(e.permutations() % 2).isZero();
        assertThat(e.evaluations()).isEqualTo(2 + (long) e.permutations() * (n - 1));
    }

    @Test
    void pairedKernelShapIsExactForAGameOfPairwiseInteractions() {
        for (int n : new int[] {20, 30}) {
            Quadratic q = Quadratic.random(n, n, 0.01);
            CoalitionGame g = game(n, q);
            double empty = q.applyAsDouble(new boolean[n]);
            double full = q.applyAsDouble(KernelShapExplainerTest.allVisible(n));
            double[] phi = KernelShapExplainer.shapleyValues(g, empty, full,
                    ExplainerSettings.defaults().shapBudgetFor(n) - 2, 7);
            double[] expected = q.shapley();
            double error = relativeL2(phi, expected);
            System.out.printf("kernel_shap on a quadratic game of %d players: relative L2 error %.4f%n", n, error);
            // every sampled coalition comes with its complement, which cancels the pair interactions exactly
            assertThat(error).as("n=" + n).isLessThan(1e-9);
            assertThat(java.util.Arrays.stream(phi).sum()).isCloseTo(full - empty, within(1e-9));
            // the interactions matter: the additive part alone is far off
            assertThat(relativeL2(q.b(), expected)).isGreaterThan(0.2);
        }
    }

    @Test
    void kernelShapAgreesWithExactEnumerationOnAGameWithInteractionsAboveTheExactLimit() {
        int n = 18;
        ToDoubleFunction<boolean[]> v = Games.withInteractions(Games.coefficients(n, 21));
        double[] exact = ShapleyValues.exact(game(n, v), 4096);
        double[] phi = KernelShapExplainer.shapleyValues(game(n, v), v.applyAsDouble(new boolean[n]),
                v.applyAsDouble(KernelShapExplainerTest.allVisible(n)), ExplainerSettings.defaults().shapBudgetFor(n) - 2, 3);
        assertThat(relativeL2(phi, exact)).isLessThan(0.05);
    }

    static double relativeL2(double[] estimate, double[] reference) {
        double d = 0;
        double r = 0;
        for (int j = 0; j < reference.length; j++) {
            d += (estimate[j] - reference[j]) * (estimate[j] - reference[j]);
            r += reference[j] * reference[j];
        }
        return Math.sqrt(d / r);
    }
}
