package dev.fmnist.xai;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.QRPDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Weighted (ridge) least squares, the surrogate fit of LIME and the regression of KernelSHAP:
 * minimises {@code sum_i w_i (y_i - b - x_i . beta)^2 + alpha |beta|^2}, where the intercept
 * {@code b} (when asked for) is not penalised, as in scikit-learn's {@code Ridge} that the
 * reference LIME uses.
 *
 * <p>Solved first through the normal equations {@code (A' W A + alpha D) beta = A' W y} by Cholesky
 * (EJML): the designs here are 0/1 masks (or differences of two, in {-1, 0, 1}), so {@code A' W A}
 * is summed over each row's non-zero entries only, and the whole fit costs a fraction of a QR of the
 * n x p design (measured: 2,126 x 40 went from 6.4 ms by QR to well under 1 ms), which at a model
 * call of tens of microseconds per image was a large part of LIME's and KernelSHAP's own overhead.
 * Normal equations square the condition number, so they are used only when the Cholesky factor's
 * diagonal says the system is well conditioned (smallest over largest pivot squared at least
 * {@value #MIN_PIVOT_RATIO_SQUARED}); otherwise, and for a rank-deficient design (fewer distinct
 * samples than unknowns, possible with a small KernelSHAP budget), the same problem is solved as one
 * ordinary least-squares problem by column-pivoted QR, the rows {@code sqrt(w_i) [1, x_i]} stacked on
 * the penalty rows {@code sqrt(alpha) e_j}, and a rank-deficient one gets the solution of smallest
 * norm rather than a failure.
 */
final class WeightedLeastSquares {
    /**
     * Pivots below this count as zero (the design is rank-deficient). The designs here hold
     * {@code sqrt(weight) * (0 or +-1)} with weights at most 1, so an absolute threshold fits; a
     * deficiency it misses still gives a least-squares solution, only not the smallest one.
     */
    private static final double SINGULAR_THRESHOLD = 1e-10;
    /**
     * Below this (smallest over largest diagonal entry of the Cholesky factor, squared: about the
     * reciprocal condition number of the normal matrix) the QR path is taken; above it the normal
     * equations lose at most about 8 of double's 16 digits.
     */
    static final double MIN_PIVOT_RATIO_SQUARED = 1e-8;

    private WeightedLeastSquares() {
    }

    /**
     * The fitted coefficients: {@code [b, beta_1..beta_p]} with an intercept, else {@code [beta_1..beta_p]}.
     *
     * @param x         n rows of p features
     * @param y         n targets
     * @param w         n sample weights, each 0 or more
     * @param alpha     ridge penalty on beta, 0 or more
     * @param intercept whether to fit an unpenalised intercept
     */
    static double[] fit(double[][] x, double[] y, double[] w, double alpha, boolean intercept) {
        int n = x.length;
        if (y.length != n || w.length != n) {
            throw new IllegalArgumentException("x, y and w must have the same rows: " + n + ", " + y.length + ", "
                    + w.length);
        }
        double[] normal = normalEquations(x, y, w, alpha, intercept);
        return normal != null ? normal : byQr(x, y, w, alpha, intercept);
    }

    /** The solution by Cholesky of the normal equations, or null when they are not well conditioned. */
    static double[] normalEquations(double[][] x, double[] y, double[] w, double alpha, boolean intercept) {
        int n = x.length;
        int p = n == 0 ? 0 : x[0].length;
        int offset = intercept ? 1 : 0;
        int cols = p + offset;
        if (n < cols) {
            return null;
        }
        DMatrixRMaj g = new DMatrixRMaj(cols, cols);
        DMatrixRMaj b = new DMatrixRMaj(cols, 1);
        double[] gd = g.data;
        double[] bd = b.data;
        int[] nz = new int[cols];
        double[] values = new double[cols];
        for (int i = 0; i < n; i++) {
            int k = 0;
            if (intercept) {
                nz[k] = 0;
                values[k++] = 1;
            }
            double[] row = x[i];
            for (int j = 0; j < p; j++) {
                if (row[j] != 0) {
                    nz[k] = offset + j;
                    values[k++] = row[j];
                }
            }
            double wi = w[i];
            double wy = wi * y[i];
            for (int a = 0; a < k; a++) {
                double va = wi * values[a];
                int base = nz[a] * cols;
                bd[nz[a]] += wy * values[a];
                for (int c = a; c < k; c++) {
                    gd[base + nz[c]] += va * values[c]; // upper triangle: nz is ascending
                }
            }
        }
        for (int j = offset; j < cols; j++) {
            gd[j * cols + j] += alpha;
        }
        for (int r = 0; r < cols; r++) {
            for (int c = r + 1; c < cols; c++) {
                gd[c * cols + r] = gd[r * cols + c];
            }
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(cols);
        if (!solver.setA(g)) {
            return null; // not positive definite: rank-deficient
        }
        @SuppressWarnings("unchecked")
        DMatrixRMaj factor = ((CholeskyDecomposition_F64<DMatrixRMaj>) solver.getDecomposition()).getT(null);
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int j = 0; j < cols; j++) {
            double d = Math.abs(factor.get(j, j));
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        if (!(max > 0) || (min / max) * (min / max) < MIN_PIVOT_RATIO_SQUARED) {
            return null;
        }
        DMatrixRMaj solution = new DMatrixRMaj(cols, 1);
        solver.solve(b, solution);
        for (double v : solution.data) {
            if (!Double.isFinite(v)) {
                return null;
            }
        }
        return solution.getData().clone();
    }

    /** The solution by column-pivoted QR of the weighted design (smallest norm when rank-deficient). */
    static double[] byQr(double[][] x, double[] y, double[] w, double alpha, boolean intercept) {
        int n = x.length;
        int p = n == 0 ? 0 : x[0].length;
        int offset = intercept ? 1 : 0;
        int cols = p + offset;
        int penaltyRows = alpha > 0 ? p : 0;
        DMatrixRMaj a = new DMatrixRMaj(n + penaltyRows, cols);
        DMatrixRMaj b = new DMatrixRMaj(n + penaltyRows, 1);
        for (int i = 0; i < n; i++) {
            double root = Math.sqrt(w[i]);
            if (intercept) {
                a.unsafe_set(i, 0, root);
            }
            for (int j = 0; j < p; j++) {
                a.unsafe_set(i, offset + j, root * x[i][j]);
            }
            b.unsafe_set(i, 0, root * y[i]);
        }
        double rootAlpha = Math.sqrt(alpha);
        for (int j = 0; j < penaltyRows; j++) {
            a.unsafe_set(n + j, offset + j, rootAlpha);
        }
        // column-pivoted QR, which also finds the rank; a rank-deficient or wider-than-tall design (fewer distinct
        // samples than unknowns) goes to the SVD pseudo-inverse, whose solution is the one of smallest norm
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.leastSquaresQrPivot(false, false);
        // EJML's default threshold (machine epsilon) misses columns that are equal up to rounding
        qrp(solver).setSingularThreshold(SINGULAR_THRESHOLD);
        if (a.numRows < a.numCols || !solver.setA(a.copy()) || rank(solver) < a.numCols) {
            solver = LinearSolverFactory_DDRM.pseudoInverse(true);
            if (!solver.setA(a)) {
                throw new IllegalStateException("the least-squares design could not be decomposed (" + a.numRows
                        + " x " + a.numCols + ")");
            }
        }
        DMatrixRMaj solution = new DMatrixRMaj(cols, 1);
        solver.solve(b, solution);
        return solution.getData().clone();
    }

    private static int rank(LinearSolverDense<DMatrixRMaj> solver) {
        return qrp(solver).getRank();
    }

    @SuppressWarnings("unchecked")
    private static QRPDecomposition_F64<DMatrixRMaj> qrp(LinearSolverDense<DMatrixRMaj> solver) {
        return (QRPDecomposition_F64<DMatrixRMaj>) solver.getDecomposition();
    }
}
