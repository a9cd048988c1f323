package dev.fmnist.trainer.xgboost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.runtime.scoring.XgboostScorer;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One small real {@code forest} training (2,000 / 500 / 1,000 images, a 2-point grid), then checks of its booster. */
class ForestTrainerTest {
    static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
    static final int TREES = 12;
    static final XgboostSettings SETTINGS = XgboostSettings.forestDefaults()
            .withGrid(List.of(6, 10), List.of(0.1))
            .withSearch(1.0, 1, 1, 3, 1_200)
            .withTrees(TREES)
            .withThreads(THREADS)
            .withSeed(7);

    static LabelledImages test;
    static XgboostResult result;
    static XgboostScorer model;
    static final List<String> stages = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void trainOnce() {
        FashionMnist data = FashionMnist.load();
        TrainingData split = TrainingData.of(data.train(), 7);
        LabelledImages train = TrainingData.stratifiedSample(split.train(), 2_000, 1);
        LabelledImages validation = TrainingData.stratifiedSample(split.validation(), 500, 2);
        test = TrainingData.stratifiedSample(data.test(), 1_000, 3);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void stage(String name, String stage) {
                stages.add(name + ": " + stage);
            }
        };
        result = new XgboostTrainer(ModelNames.FOREST, SETTINGS, listener).train(train, validation);
        model = result.loadModel(ModelNames.FOREST, THREADS);
    }

    @AfterAll
    static void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void oneRoundHoldsManyParallelTreesPerClass() {
        assertThat(model.rounds()).isEqualTo(1);
        assertThat(result.roundsTrained()).isEqualTo(1);
        assertThat(result.history()).hasSize(1);
        // XGBoost writes one tree_param per tree: TREES trees for each of the 10 classes
        String ubj = new String(result.model(), StandardCharsets.ISO_8859_1);
        int trees = 0;
        for (int at = ubj.indexOf("tree_param"); at >= 0; at = ubj.indexOf("tree_param", at + 1)) {
            trees++;
        }
        assertThat(trees).isEqualTo(TREES * FashionClass.COUNT);
        assertThat(result.params()).containsEntry("num_parallel_tree", TREES).containsEntry("eta", 1.0)
                .containsEntry("subsample", XgboostSettings.FOREST_SUBSAMPLE).containsEntry("num_boost_round", 1)
                .containsEntry("min_child_weight", XgboostSettings.FOREST_MIN_CHILD_WEIGHT)
                .containsEntry("lambda", XgboostSettings.FOREST_LAMBDA)
                .containsKey("colsample_bynode").doesNotContainKeys("colsample_bytree", "early_stopping_rounds");
    }

    @Test
    void learnsWellAboveChance() {
        float[] p = model.score(test.modelInput(), test.size());
        Evaluation evaluation = Evaluation.of("test", test, Evaluation.argmax(p, test.size()));
        assertThat(evaluation.accuracy()).isGreaterThan(0.70);
        assertThat(result.bestValidationAccuracy()).isGreaterThan(0.70);
    }

    @Test
    void gridIsCrossValidatedAtTheGridTreesAndReportedUnderTheForestsName() {
        assertThat(result.grid()).extracting(GridResult::point).containsExactlyElementsOf(SETTINGS.gridPoints());
        assertThat(result.grid()).allSatisfy(g -> assertThat(g.bestRounds()).isEqualTo(1));
        assertThat(result.chosen()).isEqualTo(XgboostTrainer.best(result.grid()).point());
        assertThat(result.chosen().toString()).contains("colsample_bynode=0.1");
        assertThat(SETTINGS.gridBoosterParams(result.chosen()))
                .containsEntry("num_parallel_tree", Math.min(TREES, XgboostSettings.FOREST_GRID_TREES));
        assertThat(stages).first().asString().startsWith("forest: grid search 1/2");
        assertThat(stages).last().asString().startsWith("forest: final fit");
    }

    @Test
    void settingsRefuseAForestGridLargerThanItsForest() {
        assertThatThrownBy(() -> XgboostSettings.Ensemble.forest(10, 0.6, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grid trees must be 1..10");
        assertThatThrownBy(() -> XgboostSettings.Ensemble.forest(10, 0, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subsample");
        assertThatThrownBy(() -> XgboostSettings.Ensemble.forest(10, 0.6, 5).withLeaves(-1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min_child_weight must be 0 or more");
        assertThatThrownBy(() -> XgboostSettings.Ensemble.forest(10, 0.6, 5).withLeaves(1, -0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lambda must be 0 or more");
        // boosting keeps XGBoost's own leaf settings: its parameters name neither
        assertThat(XgboostSettings.defaults().boosterParams(XgboostSettings.defaults().gridPoints().get(0), 0.2))
                .containsKey("colsample_bytree")
                .doesNotContainKeys("num_parallel_tree", "subsample", "min_child_weight", "lambda");
    }
}
