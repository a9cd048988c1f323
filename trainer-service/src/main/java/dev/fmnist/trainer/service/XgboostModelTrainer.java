package dev.fmnist.trainer.service;

import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.domain.TrainingOptions;
import dev.fmnist.trainer.xgboost.GridResult;
import dev.fmnist.trainer.xgboost.XgboostResult;
import dev.fmnist.trainer.xgboost.XgboostSettings;
import dev.fmnist.trainer.xgboost.XgboostTrainer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The XGBoost4J models, one code path: {@code xgboost} (boosting: grid search with cross-validation,
 * final fit with early stopping) and {@code forest} (random-forest mode: grid search with
 * cross-validation, one round of many parallel trees); both a UBJSON artifact.
 */
@ApplicationScoped
public class XgboostModelTrainer implements ModelTrainer {

    @Override
    public boolean supports(String model) {
        return ModelNames.XGBOOST.equals(model) || ModelNames.FOREST.equals(model);
    }

    /** The settings of {@code model} before the options: see {@link XgboostSettings}. */
    static XgboostSettings defaultsFor(String model) {
        return ModelNames.FOREST.equals(model) ? XgboostSettings.forestDefaults() : XgboostSettings.defaults();
    }

    /**
     * The grid point the full search chose with the default seed (cross-validation on the training
     * split, {@link XgboostSettings}): fitted directly when {@link TrainingOptions#searchHyperParameters()}
     * is false.
     */
    static XgboostSettings.GridPoint searchedPoint(String model) {
        return ModelNames.FOREST.equals(model) ? new XgboostSettings.GridPoint(20, 0.15, "colsample_bynode")
                : new XgboostSettings.GridPoint(4, 0.5);
    }

    @Override
    public TrainedModel train(String model, TrainingData data, TrainingOptions options, TrainingListener listener) {
        XgboostSettings settings = defaultsFor(model).withThreads(options.threads()).withSeed(options.seed());
        if (options.epochs() != null && settings.ensemble().isForest()) {
            // a forest has one round: --epochs caps its trees per class instead (quick runs)
            settings = settings.withTrees(Math.min(settings.ensemble().numParallelTree(), options.epochs()));
        } else if (options.epochs() != null) {
            // --epochs caps the boosting rounds of the final fit and of each grid point
            settings = settings.withFit(settings.eta(), options.epochs(), settings.earlyStoppingRounds())
                    .withSearch(settings.gridEta(), Math.min(settings.gridMaxRounds(), options.epochs()),
                            settings.gridEarlyStoppingRounds(), settings.cvFolds(), settings.gridSubsample());
        }
        XgboostTrainer trainer = new XgboostTrainer(model, settings, listener);
        XgboostResult result = options.searchHyperParameters() ? trainer.train(data)
                : trainer.fit(data.train(), data.validation(), searchedPoint(model), List.of(), 0, 0);

        Map<String, Object> params = new LinkedHashMap<>(result.params());
        params.put("ensemble", settings.ensemble().name());
        params.put("grid", options.searchHyperParameters()
                ? settings.gridPoints().stream().map(Object::toString).toList() : List.of("not searched: " + result.chosen()));
        params.put("cvFolds", settings.cvFolds());
        params.put("gridSubsample", result.gridImages());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("chosen", result.chosen().toString());
        metrics.put("gridSearch", gridTable(result.grid()));
        metrics.put("gridSearchSeconds", result.gridSearchSeconds());
        metrics.put("trainSeconds", result.fitSeconds());
        metrics.put("trainImagesPerSecond", result.trainImages() * result.roundsTrained() / result.fitSeconds());
        metrics.put("bestEpoch", result.bestIteration() + 1);
        metrics.put("epochsRun", result.roundsTrained());
        metrics.put("stopReason", result.stopReason());

        ModelScorer scorer = result.loadModel(model, options.threads());
        // the UBJSON artifact carries no metadata; name, version and run id sit beside it in the registry
        return new TrainedModel(model, ModelPublished.FORMAT_XGBOOST_UBJ, meta -> result.model(), scorer, params, metrics,
                result.history(), result.gainImportance());
    }

    private static List<Map<String, Object>> gridTable(List<GridResult> grid) {
        return grid.stream().map(g -> Map.<String, Object>of("point", g.point().toString(),
                "meanCvAccuracy", g.meanCvAccuracy(), "stdCvError", g.stdCvError(), "bestRounds", g.bestRounds(),
                "seconds", g.seconds())).toList();
    }
}
