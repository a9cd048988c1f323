package dev.fmnist.xai;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.QRPDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Weighted (ridge) least squares, the surrogate fit of LIME and the regression of KernelSHAP:
 * minimises {@code sum_i w_i (y_i - b - x_i . beta)^2 + alpha |beta|^2}, where the intercept
 * {@code b} (when asked for) is not penalised, as in scikit-learn's {@code Ridge} that the
 * reference LIME uses.
 *
 * <p>Solved as one ordinary least-squares problem by QR (EJML), not through the normal
 * equations, which square the condition number: the rows {@code sqrt(w_i) [1, x_i]} stacked on the
 * penalty rows {@code sqrt(alpha) e_j}. A rank-deficient design (fewer distinct samples than
 * unknowns, possible with a small KernelSHAP budget) gets the least-squares solution of smallest
 * norm rather than a failure.
 */
final class WeightedLeastSquares {
    /**
     * Pivots below this count as zero (the design is rank-deficient). The designs here hold
     * {@code sqrt(weight) * (0 or +-1)} with weights at most 1, so an absolute threshold fits; a
     * deficiency it misses still gives a least-squares solution, only not the smallest one.
     */
    private static final double SINGULAR_THRESHOLD = 1e-10;

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
