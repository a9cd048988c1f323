package dev.fmnist.trainer.xgboost;

import dev.fmnist.trainer.xgboost.XgboostSettings.GridPoint;

/**
 * Cross-validation score of one grid point: the fold means (and the spread of the error over the
 * folds) at the round with the lowest mean {@code mlogloss}.
 *
 * @param point           the grid point
 * @param meanCvError     mean {@code merror} (1 - accuracy) of the held-out folds
 * @param stdCvError      standard deviation of the folds' {@code merror}
 * @param meanCvLogLoss   mean {@code mlogloss} of the held-out folds
 * @param bestRounds      rounds (1-based) at which the fold means were best
 * @param roundsTrained   rounds trained before early stopping
 * @param seconds         wall-clock time of this grid point, all folds
 */
public record GridResult(GridPoint point, double meanCvError, double stdCvError, double meanCvLogLoss,
                         int bestRounds, int roundsTrained, double seconds) {

    public double meanCvAccuracy() {
        return 1 - meanCvError;
    }
}
