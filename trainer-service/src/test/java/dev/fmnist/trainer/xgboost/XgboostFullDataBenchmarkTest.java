package dev.fmnist.trainer.xgboost;

import dev.fmnist.runtime.scoring.XgboostScorer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The full-data measurement (not in CI; 10 to 20 minutes on 2 cores): the default grid search on
 * its documented subsample, the final fit on the 54,000 training images with early stopping on the
 * 6,000 validation images, and the validation accuracy and per-class table: a tuning harness, so
 * it never reads the test images (those are the evaluator's: {@code trainer benchmark}).
 *
 * <pre>
 * flock /tmp/fmnist-maven.lock mvn -o -pl trainer-service test -Dtest=XgboostFullDataBenchmarkTest -Dfmnist.benchmark=true
 * </pre>
 *
 * Optional overrides: {@code -Dxgb.eta=0.2 -Dxgb.maxRounds=500 -Dxgb.earlyStopping=20 -Dxgb.fitTimeLimit=540
 * -Dxgb.depths=4,6,8 -Dxgb.colsamples=0.3,0.5,0.8 -Dxgb.gridEta=0.3 -Dxgb.gridRounds=100 -Dxgb.gridEarlyStopping=10
 * -Dxgb.gridSubsample=10000 -Dxgb.skipGrid=6,0.5} (the last fits one point without a search).
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "fmnist.benchmark", matches = "true")
class XgboostFullDataBenchmarkTest {

    @Test
    void fullDataGridSearchAndFinalFit() {
        XgboostSettings d = XgboostSettings.defaults();
        XgboostSettings settings = d
                .withGrid(ints(System.getProperty("xgb.depths"), d.maxDepths()),
                        doubles(System.getProperty("xgb.colsamples"), d.colsamples()))
                .withFit(Double.parseDouble(System.getProperty("xgb.eta", String.valueOf(d.eta()))),
                        Integer.getInteger("xgb.maxRounds", d.maxRounds()),
                        Integer.getInteger("xgb.earlyStopping", d.earlyStoppingRounds()))
                .withFitTimeLimit(Double.parseDouble(System.getProperty("xgb.fitTimeLimit",
                        String.valueOf(d.fitTimeLimitSeconds()))))
                .withSearch(Double.parseDouble(System.getProperty("xgb.gridEta", String.valueOf(d.gridEta()))),
                        Integer.getInteger("xgb.gridRounds", d.gridMaxRounds()),
                        Integer.getInteger("xgb.gridEarlyStopping", d.gridEarlyStoppingRounds()), d.cvFolds(),
                        Integer.getInteger("xgb.gridSubsample", d.gridSubsample()));
        System.out.println("settings: " + settings);

        FashionMnist data = FashionMnist.load();
        TrainingData split = TrainingData.of(data.train(), 42);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void stage(String model, String stage) {
                System.out.println("stage: " + stage);
            }

            @Override
            public void epoch(String model, EpochMetrics m) {
                if (m.epoch() % 25 == 0 || m.epoch() <= 2) {
                    System.out.printf("round %d: train loss %.4f acc %.4f, validation loss %.4f acc %.4f, %.2f s%n",
                            m.epoch(), m.trainLoss(), m.trainAccuracy(), m.validationLoss(), m.validationAccuracy(),
                            m.seconds());
                }
            }
        };
        XgboostTrainer trainer = new XgboostTrainer(settings, listener);
        String skipGrid = System.getProperty("xgb.skipGrid");
        XgboostResult result;
        if (skipGrid != null) {
            String[] p = skipGrid.split(",");
            result = trainer.fit(split.train(), split.validation(),
                    new XgboostSettings.GridPoint(Integer.parseInt(p[0]), Double.parseDouble(p[1])), List.of(), 0, 0);
        } else {
            result = trainer.train(split);
        }

        for (GridResult g : result.grid()) {
            System.out.printf("grid %-36s CV error %.4f +- %.4f, mlogloss %.4f, best %d of %d rounds, %.1f s%n",
                    g.point(), g.meanCvError(), g.stdCvError(), g.meanCvLogLoss(), g.bestRounds(), g.roundsTrained(),
                    g.seconds());
        }
        Evaluation evaluation;
        long start = System.nanoTime();
        try (XgboostScorer model = result.loadModel()) {
            // a tuning harness: judged on validation; the test set is the evaluator's, read by registered runs only
            evaluation = Evaluation.of("validation", split.validation(), Evaluation.argmax(
                    model.score(split.validation().modelInput(), split.validation().size()), split.validation().size()));
        }
        double predictSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("grid search %.1f s on %d images; chose %s%n", result.gridSearchSeconds(),
                result.gridImages(), result.chosen());
        System.out.printf("final fit %.1f s on %d images: best iteration %d (%d rounds kept) of %d trained (%s),"
                        + " validation mlogloss %.4f accuracy %.4f%n", result.fitSeconds(), result.trainImages(),
                result.bestIteration(), result.bestIteration() + 1, result.roundsTrained(), result.stopReason(),
                result.bestValidationLogLoss(), result.bestValidationAccuracy());
        System.out.printf("model %d bytes (UBJ); validation prediction of 6,000 images %.2f s%n", result.model().length,
                predictSeconds);
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
