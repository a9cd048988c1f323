package dev.fmnist.trainer.xgboost;

import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.runtime.scoring.XgboostScorer;

import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.xgboost.XgboostSettings.GridPoint;
import java.util.List;
import java.util.Map;

/**
 * Outcome of one {@code xgboost} training run. Holds no native resource: open the model with
 * {@link #loadModel()} (and close it).
 *
 * @param model                   the booster of the best round as XGBoost UBJSON ({@link XgboostTrainer#FORMAT})
 * @param chosen                  the grid point the search chose
 * @param params                  the booster parameters of the final fit (for the registry's {@code params})
 * @param grid                    one cross-validation result per grid point, in grid order
 * @param bestIteration           0-based round of the best validation {@code mlogloss}; the model holds
 *                                {@code bestIteration + 1} rounds
 * @param roundsTrained           rounds trained before early stopping (or the round limit)
 * @param stopReason              why the final fit stopped: {@link #STOP_EARLY_STOPPING},
 *                                {@link #STOP_ROUND_LIMIT} or {@link #STOP_TIME_LIMIT}
 * @param bestValidationLogLoss   validation {@code mlogloss} at the best round
 * @param bestValidationAccuracy  validation accuracy ({@code 1 - merror}) at the best round
 * @param history                 train and validation loss and accuracy of every round trained
 * @param gainImportance          gain importance per pixel, 784 values (28x28 row-major), 0 where unused
 * @param gridImages              images of the grid-search subsample
 * @param trainImages             images of the final fit
 * @param gridSearchSeconds       wall-clock time of the grid search
 * @param fitSeconds              wall-clock time of the final fit (including keeping the best round's model)
 */
public record XgboostResult(byte[] model, GridPoint chosen, Map<String, Object> params, List<GridResult> grid,
                            int bestIteration, int roundsTrained, String stopReason, double bestValidationLogLoss,
                            double bestValidationAccuracy, List<EpochMetrics> history, float[] gainImportance,
                            int gridImages, int trainImages, double gridSearchSeconds, double fitSeconds) {

    public static final String STOP_EARLY_STOPPING = "early stopping";
    public static final String STOP_ROUND_LIMIT = "round limit";
    public static final String STOP_TIME_LIMIT = "time limit";

    public XgboostResult {
        params = Map.copyOf(params);
        grid = List.copyOf(grid);
        history = List.copyOf(history);
    }

    public String format() {
        return XgboostTrainer.FORMAT;
    }

    /** The model as the services score it (model-runtime), predicting with as many threads as this JVM may use processors. */
    public XgboostScorer loadModel() {
        return loadModel(0);
    }

    /** The model as the services score it (model-runtime), predicting with {@code nthread} threads (0: all CPUs). */
    public XgboostScorer loadModel(int nthread) {
        return loadModel("xgboost", nthread);
    }

    /** The model as the services score it under the name {@code name}, predicting with {@code nthread} threads. */
    public XgboostScorer loadModel(String name, int nthread) {
        return new XgboostScorer(name, 0, model, ScorerOptions.cpu().withThreads(nthread));
    }

    /** The grid result of the chosen point. */
    public GridResult chosenResult() {
        return grid.stream().filter(g -> g.point().equals(chosen)).findFirst().orElseThrow();
    }
}
