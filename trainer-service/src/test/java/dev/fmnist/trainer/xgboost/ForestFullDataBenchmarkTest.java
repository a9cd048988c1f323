package dev.fmnist.trainer.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.runtime.scoring.XgboostScorer;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The {@code forest} model's full-data measurement (not in CI): the default cross-validated grid on
 * its stratified subsample of the training split, the one-round fit on the 54,000 training images,
 * and the validation split's accuracy and per-class table: a tuning harness, so it never reads the
 * test images (those are the evaluator's: {@code trainer benchmark} reports them for registered and
 * seed-study runs).
 *
 * <pre>
 * flock /tmp/fmnist-maven.lock mvn -o -pl trainer-service test -Dtest=ForestFullDataBenchmarkTest -Dfmnist.benchmark=true
 * </pre>
 *
 * Optional overrides: {@code -Dforest.depths=12,20 -Dforest.colsamples=0.05,0.15 -Dforest.trees=30
 * -Dforest.subsample=0.8 -Dforest.gridSubsample=10000 -Dforest.minChildWeight=1 -Dforest.lambda=0
 * -Dforest.skipGrid=16,0.1} (the last fits one point without a search).
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "fmnist.benchmark", matches = "true")
class ForestFullDataBenchmarkTest {

    @Test
    void fullDataGridSearchAndOneRoundFit() {
        XgboostSettings d = XgboostSettings.forestDefaults();
        XgboostSettings settings = d
                .withGrid(ints(System.getProperty("forest.depths"), d.maxDepths()),
                        doubles(System.getProperty("forest.colsamples"), d.colsamples()))
                .withSearch(d.gridEta(), d.gridMaxRounds(), d.gridEarlyStoppingRounds(), d.cvFolds(),
                        Integer.getInteger("forest.gridSubsample", d.gridSubsample()))
                .withTrees(Integer.getInteger("forest.trees", d.ensemble().numParallelTree()));
        if (System.getProperty("forest.subsample") != null) {
            settings = settings.withEnsemble(settings.ensemble()
                    .withSubsample(Double.parseDouble(System.getProperty("forest.subsample"))));
        }
        if (System.getProperty("forest.minChildWeight") != null || System.getProperty("forest.lambda") != null) {
            XgboostSettings.Ensemble e = settings.ensemble();
            settings = settings.withEnsemble(e.withLeaves(
                    Double.parseDouble(System.getProperty("forest.minChildWeight", String.valueOf(e.minChildWeight()))),
                    Double.parseDouble(System.getProperty("forest.lambda", String.valueOf(e.regLambda())))));
        }
        System.out.println("settings: " + settings);
        long wall = System.nanoTime();
        FashionMnist data = FashionMnist.load();
        TrainingData split = TrainingData.of(data.train(), 42);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void stage(String model, String stage) {
                System.out.println("stage: " + stage);
            }
        };
        XgboostTrainer trainer = new XgboostTrainer(ModelNames.FOREST, settings, listener);
        String skipGrid = System.getProperty("forest.skipGrid");
        XgboostResult result;
        if (skipGrid != null) {
            String[] p = skipGrid.split(",");
            result = trainer.fit(split.train(), split.validation(), new XgboostSettings.GridPoint(
                    Integer.parseInt(p[0]), Double.parseDouble(p[1]), "colsample_bynode"), List.of(), 0, 0);
        } else {
            result = trainer.train(split);
        }
        for (GridResult g : result.grid()) {
            System.out.printf("grid %-36s CV accuracy %.4f +- %.4f, mlogloss %.4f, %.1f s%n", g.point(),
                    g.meanCvAccuracy(), g.stdCvError(), g.meanCvLogLoss(), g.seconds());
        }
        System.out.printf("grid search %.1f s on %d images; chose %s%n", result.gridSearchSeconds(),
                result.gridImages(), result.chosen());
        System.out.printf("one-round fit %.1f s on %d images: validation accuracy %.4f, mlogloss %.4f; model %d bytes%n",
                result.fitSeconds(), result.trainImages(), result.bestValidationAccuracy(),
                result.bestValidationLogLoss(), result.model().length);
        Evaluation evaluation;
        try (XgboostScorer model = result.loadModel(ModelNames.FOREST, settings.nthread())) {
            // a tuning harness: judged on validation; the test set is the evaluator's, read by registered runs only
            evaluation = Evaluation.of("validation", split.validation(), Evaluation.argmax(
                    model.score(split.validation().modelInput(), split.validation().size()), split.validation().size()));
        }
        System.out.printf("wall time %.1f s%n", (System.nanoTime() - wall) / 1e9);
        System.out.printf("validation accuracy %.4f%n%s", evaluation.accuracy(), evaluation.perClassTable());
        assertThat(evaluation.accuracy()).isGreaterThan(0.85);
    }

    private static List<Integer> ints(String csv, List<Integer> fallback) {
        return csv == null ? fallback : Arrays.stream(csv.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }

    private static List<Double> doubles(String csv, List<Double> fallback) {
        return csv == null ? fallback : Arrays.stream(csv.split(",")).map(String::trim).map(Double::valueOf).toList();
    }
}
