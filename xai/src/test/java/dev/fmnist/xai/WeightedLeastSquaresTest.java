package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedLeastSquaresTest {

    @Test
    void ridgeWithAnUnpenalisedInterceptSolvesItsNormalEquations() {
        SplittableRandom random = new SplittableRandom(5);
        int n = 60;
        int p = 4;
        double[][] x = new double[n][p];
        double[] y = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                x[i][j] = random.nextInt(2);
            }
            y[i] = random.nextDouble();
            w[i] = random.nextDouble(0.1, 1);
        }
        double alpha = 2.5;
        double[] fit = WeightedLeastSquares.fit(x, y, w, alpha, true);
        // gradient of sum w (y - b - x beta)^2 + alpha |beta|^2 vanishes: for b, sum w r = 0; for beta_j,
        // sum w r x_j = alpha beta_j
        double[] gradient = new double[p + 1];
        for (int i = 0; i < n; i++) {
            double r = y[i] - fit[0];
            for (int j = 0; j < p; j++) {
                r -= fit[1 + j] * x[i][j];
            }
            gradient[0] += w[i] * r;
            for (int j = 0; j < p; j++) {
                gradient[1 + j] += w[i] * r * x[i][j];
            }
        }
        assertThat(gradient[0]).isCloseTo(0, within(1e-10));
        for (int j = 0; j < p; j++) {
            assertThat(gradient[1 + j]).isCloseTo(alpha * fit[1 + j], within(1e-10));
        }
    }

    @Test
    void aRankDeficientDesignGetsTheSmallestNormSolution() {
        // two identical columns: any split of the coefficient 2 fits; the smallest norm splits it evenly
        double[][] x = {{1, 1}, {2, 2}, {3, 3}};
        double[] y = {2, 4, 6};
        double[] fit = WeightedLeastSquares.fit(x, y, new double[] {1, 1, 1}, 0, false);
        assertThat(fit).containsExactly(new double[] {1, 1}, within(1e-9));
        // fewer rows than unknowns
        double[] wide = WeightedLeastSquares.fit(new double[][] {{1, 1, 0}}, new double[] {2}, new double[] {1}, 0, false);
        assertThat(wide).containsExactly(new double[] {1, 1, 0}, within(1e-9));
    }

    @Test
    void theNormalEquationsAgreeWithQrOnMaskDesigns() {
        // LIME's 0/1 masks with an intercept and ridge, and KernelSHAP's reduced design in {-1, 0, 1} without
        SplittableRandom random = new SplittableRandom(11);
        for (boolean shapLike : new boolean[] {false, true}) {
            int n = 600;
            int p = 30;
            double[][] x = new double[n][p];
            double[] y = new double[n];
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                int last = shapLike ? random.nextInt(2) : 0;
                for (int j = 0; j < p; j++) {
                    x[i][j] = random.nextInt(2) - last;
                }
                y[i] = random.nextGaussian();
                w[i] = random.nextDouble(0.01, 1);
            }
            double alpha = shapLike ? 0 : 1;
            double[] normal = WeightedLeastSquares.normalEquations(x, y, w, alpha, !shapLike);
            double[] qr = WeightedLeastSquares.byQr(x, y, w, alpha, !shapLike);
            assertThat(normal).as("well conditioned: solved by the normal equations").isNotNull();
            assertThat(normal).containsExactly(qr, within(1e-9));
            assertThat(WeightedLeastSquares.fit(x, y, w, alpha, !shapLike)).containsExactly(normal, within(0.0));
        }
    }

    @Test
    void anIllConditionedDesignIsLeftToQr() {
        // two columns equal up to 1e-7: the normal matrix's condition number is about 1e14
        double[][] x = new double[50][2];
        double[] y = new double[50];
        double[] w = new double[50];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 50; i++) {
            x[i][0] = random.nextDouble();
            x[i][1] = x[i][0] + 1e-7 * random.nextGaussian();
            y[i] = x[i][0];
            w[i] = 1;
        }
        assertThat(WeightedLeastSquares.normalEquations(x, y, w, 0, false)).isNull();
        double[] fit = WeightedLeastSquares.fit(x, y, w, 0, false);
        double residual = 0;
        for (int i = 0; i < 50; i++) {
            double r = y[i] - fit[0] * x[i][0] - fit[1] * x[i][1];
            residual += r * r;
        }
        assertThat(residual).isLessThan(1e-20);
    }
}
