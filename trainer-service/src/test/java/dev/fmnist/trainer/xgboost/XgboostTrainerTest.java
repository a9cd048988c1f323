package dev.fmnist.trainer.xgboost;

import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.runtime.scoring.XgboostScorer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One small real training run (3,000 / 600 / 1,000 images, a 2-point grid), then checks of its model. */
class XgboostTrainerTest {
    static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
    static final XgboostSettings SETTINGS = XgboostSettings.defaults()
            .withGrid(List.of(3, 5), List.of(0.5))
            .withSearch(0.3, 12, 3, 3, 1_500)
            .withFit(0.3, 40, 5)
            .withThreads(THREADS)
            .withSeed(7);

    static LabelledImages train;
    static LabelledImages validation;
    static LabelledImages test;
    static XgboostResult result;
    static XgboostScorer model;
    static final List<EpochMetrics> epochs = new CopyOnWriteArrayList<>();
    static final List<String> stages = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void trainOnce() {
        FashionMnist data = FashionMnist.load();
        TrainingData split = TrainingData.of(data.train(), 7);
        train = TrainingData.stratifiedSample(split.train(), 3_000, 1);
        validation = TrainingData.stratifiedSample(split.validation(), 600, 2);
        test = TrainingData.stratifiedSample(data.test(), 1_000, 3);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void stage(String model, String stage) {
                stages.add(stage);
            }

            @Override
            public void epoch(String model, EpochMetrics metrics) {
                epochs.add(metrics);
            }
        };
        result = new XgboostTrainer(SETTINGS, listener).train(train, validation);
        model = result.loadModel(THREADS);
    }

    @AfterAll
    static void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void learnsWellAboveChance() {
        Evaluation evaluation = Evaluation.of("test", test, Evaluation.argmax(model.score(test.modelInput(), test.size()), test.size()));
        assertThat(evaluation.accuracy()).isGreaterThan(0.70);
        assertThat(result.bestValidationAccuracy()).isGreaterThan(0.70);
        float[] probabilities = model.score(test.modelInput(), test.size());
        assertThat(probabilities).hasSize(test.size() * FashionClass.COUNT);
        for (int i = 0; i < test.size(); i++) {
            double sum = 0;
            for (int c = 0; c < FashionClass.COUNT; c++) {
                sum += probabilities[i * FashionClass.COUNT + c];
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void gridHasOneCrossValidatedResultPerPointAndTheBestIsChosen() {
        assertThat(result.grid()).hasSize(2);
        assertThat(result.grid()).extracting(GridResult::point).containsExactlyElementsOf(SETTINGS.gridPoints());
        for (GridResult g : result.grid()) {
            assertThat(g.meanCvError()).isBetween(0.0, 0.5);
            assertThat(g.stdCvError()).isNotNegative();
            assertThat(g.meanCvLogLoss()).isPositive();
            assertThat(g.bestRounds()).isBetween(1, 12);
            assertThat(g.roundsTrained()).isBetween(g.bestRounds(), 12);
        }
        assertThat(result.chosen()).isEqualTo(XgboostTrainer.best(result.grid()).point());
        assertThat(result.gridImages()).isBetween(1_490, 1_510);
        assertThat(result.trainImages()).isEqualTo(3_000);
        assertThat(result.params()).containsEntry("max_depth", result.chosen().maxDepth())
                .containsEntry("objective", "multi:softprob").containsEntry("tree_method", "hist")
                .containsEntry("num_boost_round", result.bestIteration() + 1);
        assertThat(stages).anyMatch(s -> s.startsWith("grid search 2/2")).anyMatch(s -> s.startsWith("final fit"));
    }

    @Test
    void recordsEveryRoundAndKeepsTheBestRoundsModel() {
        assertThat(epochs).hasSize(result.roundsTrained()).isEqualTo(result.history());
        for (int i = 0; i < epochs.size(); i++) {
            EpochMetrics m = epochs.get(i);
            assertThat(m.epoch()).isEqualTo(i + 1);
            assertThat(m.trainAccuracy()).isBetween(0.0, 1.0);
            assertThat(m.validationAccuracy()).isBetween(0.0, 1.0);
            assertThat(m.learningRate()).isEqualTo(0.3);
            assertThat(m.seconds()).isPositive();
        }
        // training loss falls, the best validation loss is the recorded one
        assertThat(epochs.get(epochs.size() - 1).trainLoss()).isLessThan(epochs.get(0).trainLoss());
        EpochMetrics best = epochs.get(result.bestIteration());
        assertThat(best.validationLoss()).isEqualTo(result.bestValidationLogLoss());
        assertThat(epochs).allSatisfy(m -> assertThat(m.validationLoss()).isGreaterThanOrEqualTo(best.validationLoss()));
        assertThat(model.rounds()).isEqualTo(result.bestIteration() + 1);
        assertThat(result.fitSeconds()).isPositive();
        assertThat(result.gridSearchSeconds()).isPositive();
    }

    @Test
    void gainImportanceIsA28x28MapAwayFromTheCorners() {
        float[] importance = result.gainImportance();
        assertThat(importance).hasSize(Pixels.COUNT);
        for (float v : importance) {
            assertThat(v).isNotNegative();
        }
        long positive = countPositive(importance);
        assertThat(positive).isGreaterThan(50);
        assertThat(importance).isEqualTo(model.importance("gain"));
        double corners = 0;
        double centre = 0;
        int cornerCells = 0;
        int centreCells = 0;
        for (int r = 0; r < Pixels.SIDE; r++) {
            for (int c = 0; c < Pixels.SIDE; c++) {
                boolean corner = (r < 3 || r >= Pixels.SIDE - 3) && (c < 3 || c >= Pixels.SIDE - 3);
                boolean inCentre = r >= 7 && r < 21 && c >= 7 && c < 21;
                if (corner) {
                    corners += importance[r * Pixels.SIDE + c];
                    cornerCells++;
                } else if (inCentre) {
                    centre += importance[r * Pixels.SIDE + c];
                    centreCells++;
                }
            }
        }
        assertThat(corners / cornerCells).isLessThan(0.5 * centre / centreCells);
    }

    @Test
    void ubjRoundTripGivesIdenticalProbabilities() {
        float[] features = test.modelInput();
        float[] before = model.score(features, test.size());
        byte[] bytes = model.toUbj();
        assertThat(bytes).isNotEmpty();
        assertThat(bytes[0]).isEqualTo((byte) '{'); // UBJSON object
        try (XgboostScorer reloaded = new XgboostScorer("xgboost", 1, bytes, ScorerOptions.cpu().withThreads(THREADS))) {
            assertThat(reloaded.score(features, test.size())).isEqualTo(before);
            assertThat(reloaded.rounds()).isEqualTo(model.rounds());
        }
        try (XgboostScorer fromResult = result.loadModel(THREADS)) {
            assertThat(fromResult.score(features, test.size())).isEqualTo(before);
        }
    }

    @Test
    void treeShapContributionsSumToTheMargins() {
        int n = 25;
        LabelledImages few = test.head(n);
        float[] features = few.modelInput();
        float[] margins = model.margins(features, n);
        float[] contributions = model.contributions(features, n); // [n][10][785] flat
        int row = Pixels.COUNT + 1;
        assertThat(contributions).hasSize(n * FashionClass.COUNT * row);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < FashionClass.COUNT; c++) {
                double sum = 0;
                for (int k = 0; k < row; k++) {
                    sum += contributions[(i * FashionClass.COUNT + c) * row + k];
                }
                assertThat(sum).as("image %d class %d", i, c)
                        .isCloseTo(margins[i * FashionClass.COUNT + c], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
        float[] one = model.contributions(Pixels.toModelInput(few.image(3)), 1);
        int image = FashionClass.COUNT * row;
        assertThat(one).isEqualTo(java.util.Arrays.copyOfRange(contributions, 3 * image, 4 * image));
    }

    @Test
    void finalFitStopsAtItsTimeLimitKeepingTheBestRound() {
        XgboostTrainer trainer = new XgboostTrainer(SETTINGS.withFitTimeLimit(1e-6), TrainingListener.NONE);
        XgboostResult limited = trainer.fit(train.head(500), validation.head(200),
                new XgboostSettings.GridPoint(2, 0.5), List.of(), 0, 0);
        assertThat(limited.stopReason()).isEqualTo(XgboostResult.STOP_TIME_LIMIT);
        assertThat(limited.roundsTrained()).isEqualTo(1);
        assertThat(limited.history()).hasSize(1);
        assertThat(limited.grid()).isEmpty();
        try (XgboostScorer one = limited.loadModel(THREADS)) {
            assertThat(one.rounds()).isEqualTo(1);
        }
        assertThat(result.stopReason()).isIn(XgboostResult.STOP_EARLY_STOPPING, XgboostResult.STOP_ROUND_LIMIT);
    }

    @Test
    void closedModelRefusesWork() {
        XgboostScorer m = result.loadModel(1);
        m.close();
        m.close();
        assertThatThrownBy(() -> m.score(new float[Pixels.COUNT], 1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> model.score(new float[10], 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new XgboostScorer("xgboost", 1, new byte[] {1, 2, 3}, ScorerOptions.cpu()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("XGBoost refused xgboost/1");
    }

    @Test
    void stratifiedFoldsPartitionTheDataEvenly() {
        int[][] folds = XgboostTrainer.stratifiedFolds(train.labels(), 3, 5);
        List<Integer> all = new ArrayList<>();
        for (int[] fold : folds) {
            assertThat(fold.length).isBetween(999, 1_001);
            LabelledImages part = train.select(fold);
            assertThat(Arrays.stream(part.classCounts()).boxed().toList()).allSatisfy(
                    n -> assertThat(n).isBetween(99, 101));
            Arrays.stream(fold).forEach(all::add);
        }
        assertThat(all).hasSize(train.size()).doesNotHaveDuplicates();
    }

    @Test
    void parsesXgboostEvaluationLines() {
        assertThat(XgboostTrainer.parseEval("[12]\ttrain-mlogloss:0.51234\ttrain-merror:0.1\tvalidation-merror:0.125\n"))
                .containsEntry("train-mlogloss", 0.51234).containsEntry("train-merror", 0.1)
                .containsEntry("validation-merror", 0.125).hasSize(3);
    }

    @Test
    void settingsDefaultsAndValidation() {
        XgboostSettings defaults = XgboostSettings.defaults();
        assertThat(defaults.gridPoints()).hasSize(9);
        assertThat(defaults.cvFolds()).isEqualTo(3);
        assertThat(defaults.gridSubsample()).isEqualTo(10_000);
        assertThat(defaults.nthread()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(defaults.boosterParams(defaults.gridPoints().get(0), 0.1)).containsEntry("num_class", 10)
                .containsEntry("eta", 0.1).containsEntry("max_depth", 4).containsEntry("colsample_bytree", 0.3);
        assertThatThrownBy(() -> defaults.withGrid(List.of(6), List.of(1.5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withGrid(List.of(), List.of(0.5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withSearch(0.3, 10, 5, 1, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long countPositive(float[] values) {
        long n = 0;
        for (float v : values) {
            if (v > 0) {
                n++;
            }
        }
        return n;
    }
}
