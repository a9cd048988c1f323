package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.OnnxCnnScorer;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.runtime.scoring.TestModels;
import dev.fmnist.runtime.scoring.XgboostScorer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three methods on tiny but real models trained here from Fashion-MNIST images: an ONNX
 * nearest-centroid net in ONNX Runtime and an XGBoost booster (common's TestModels).
 */
class RealModelExplanationsTest {
    static LabelledImages test;
    static OnnxCnnScorer onnx;
    static XgboostScorer xgboost;
    static final ExplainerSettings SETTINGS = ExplainerSettings.defaults();

    @BeforeAll
    static void models() {
        LabelledImages train = TestModels.trainingSample(400);
        test = FashionMnist.load().test().head(10);
        // one native thread: the machine is shared, and timings are comparable between runs
        ScorerOptions options = new ScorerOptions(ExecutionProvider.CPU, 1, 1024);
        onnx = new OnnxCnnScorer("lenet", 1, TestModels.templateOnnx("lenet", train, 12f), options);
        xgboost = new XgboostScorer("xgboost", 1, TestModels.xgboostUbj(train, 12, 4), options);
    }

    @AfterAll
    static void close() {
        onnx.close();
        xgboost.close();
    }

    @Test
    void treeShapMeetsEfficiencyInLogOddsSpaceOnARealBooster() {
        TreeShapExplainer tree = new TreeShapExplainer(SETTINGS);
        double bias = Double.NaN;
        for (int i = 0; i < test.size(); i++) {
            float[] image = TestModels.input(test, i, 1);
            int predicted = ModelScorers.argmax(xgboost.score(image, 1), 0);
            Attribution a = tree.explain(xgboost, image, predicted, 0);
            assertThat(a.outputSpace()).isEqualTo(OutputSpace.LOG_ODDS);

            // f(x) is the centred margin z_c - mean_j z_j, which is also the centred log-probability
            float[] margins = xgboost.margins(image, 1);
            double centredMargin = margins[predicted] - mean(margins);
            assertThat(a.fullValue()).isCloseTo(centredMargin, within(1e-5));
            assertThat(a.fullValue()).isCloseTo(OutputSpace.LOG_ODDS.of(xgboost.score(image, 1), 0, predicted),
                    within(1e-4));
            assertThat(a.efficiencyGap()).as("image " + i).isLessThan(1e-4);
            // checked independently from predictContrib's per-class rows: centred pixel values plus the
            // centred bias give the centred margin (linearity of Shapley values)
            float[] contributions = xgboost.contributions(image, 1);
            int row = Pixels.COUNT + 1;
            double sum = 0;
            double[] biases = new double[10];
            for (int j = 0; j < 10; j++) {
                biases[j] = contributions[j * row + Pixels.COUNT];
            }
            for (int p = 0; p < Pixels.COUNT; p++) {
                double m = 0;
                for (int j = 0; j < 10; j++) {
                    m += contributions[j * row + p];
                }
                double centred = contributions[predicted * row + p] - m / 10;
                assertThat((double) a.attributions()[p]).isCloseTo(centred, within(1e-5));
                sum += centred;
            }
            assertThat(a.baseValue()).isCloseTo(OutputSpace.centred(biases, predicted), within(1e-6));
            assertThat(Math.abs(sum + a.baseValue() - centredMargin)).isLessThan(1e-4);
            // the segment weights are the sums of their pixels
            double[] perSegment = new double[a.segmentWeights().length];
            for (int p = 0; p < Pixels.COUNT; p++) {
                perSegment[a.segments()[p]] += a.attributions()[p];
            }
            for (int s = 0; s < perSegment.length; s++) {
                assertThat((double) a.segmentWeights()[s]).isCloseTo(perSegment[s], within(1e-5));
            }
            // the base is the model's expected output: the same for every image of one class
            if (i > 0 && predicted == ModelScorers.argmax(xgboost.score(TestModels.input(test, 0, 1), 1), 0)) {
                assertThat(a.baseValue()).isEqualTo(bias);
            }
            if (i == 0) {
                bias = a.baseValue();
            }
            checkCommonShape(a, xgboost, image, predicted);
            assertThat(a.segmentWeights()).hasSize(49);
            assertThat(a.samples()).isEqualTo(1);
            assertThat(a.intercept()).isNull();
            assertThat(a.limeR2()).isNull();
        }
    }

    @Test
    void treeShapHasNoExactValuesInProbabilitySpace() {
        TreeShapExplainer tree = new TreeShapExplainer(SETTINGS.withOutputSpace(OutputSpace.PROBABILITY));
        assertThatThrownBy(() -> tree.explain(xgboost, TestModels.input(test, 0, 1), 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("log_odds space only")
                .hasMessageContaining("not in probability space");
        assertThatThrownBy(() -> new TreeShapExplainer(SETTINGS).explain(xgboost, TestModels.input(test, 0, 1), 0, 0,
                OutputSpace.PROBABILITY)).hasMessageContaining("log_odds space only");
    }

    /**
     * TreeSHAP and KernelSHAP of one booster: in the same space (log-odds) their maps agree better than
     * KernelSHAP's probability map agrees with TreeSHAP's (the comparison the agreement figures now refuse).
     */
    @Test
    void treeShapAndKernelShapAgreeBetterInTheSameSpace() {
        TreeShapExplainer tree = new TreeShapExplainer(SETTINGS);
        KernelShapExplainer shap = new KernelShapExplainer(SETTINGS);
        double same = 0;
        double across = 0;
        int n = 6;
        for (int i = 0; i < n; i++) {
            float[] image = TestModels.input(test, i, 1);
            int predicted = ModelScorers.argmax(xgboost.score(image, 1), 0);
            Attribution t = tree.explain(xgboost, image, predicted, 0);
            Attribution logOdds = shap.explain(xgboost, image, predicted, i, OutputSpace.LOG_ODDS);
            Attribution probability = shap.explain(xgboost, image, predicted, i, OutputSpace.PROBABILITY);
            assertThat(logOdds.outputSpace()).isEqualTo(OutputSpace.LOG_ODDS);
            assertThat(probability.outputSpace()).isEqualTo(OutputSpace.PROBABILITY);
            same += MethodAgreements.spearman(t.segmentWeights(), logOdds.segmentWeights());
            across += MethodAgreements.spearman(t.segmentWeights(), probability.segmentWeights());
        }
        System.out.printf("AGREEMENT tree_shap vs kernel_shap, mean Spearman over %d images: log-odds %.3f, "
                + "log-odds vs probability %.3f%n", n, same / n, across / n);
        assertThat(same / n).isGreaterThan(across / n);
    }

    @Test
    void kernelShapInLogOddsMeetsEfficiencyAndItsGameIsTheTransformedProbability() {
        for (ModelScorer model : List.of(onnx, xgboost)) {
            float[] image = TestModels.input(test, 2, 1);
            int predicted = ModelScorers.argmax(model.score(image, 1), 0);
            MaskedScorer logOdds = MaskedScorer.of(model, image, predicted, SETTINGS.withOutputSpace(OutputSpace.LOG_ODDS));
            MaskedScorer probability = MaskedScorer.of(model, image, predicted,
                    SETTINGS.withOutputSpace(OutputSpace.PROBABILITY));
            int k = logOdds.players();
            boolean[][] masks = LimeExplainer.randomMasks(40, k, 5);
            double[] v = logOdds.values(masks);
            double[] p = probability.values(masks);
            for (int i = 0; i < masks.length; i++) {
                // the same image scored alone: its centred log-probability from all ten probabilities
                float[] probabilities = scoreMasked(model, image, logOdds, masks[i]);
                assertThat(p[i]).isCloseTo(probabilities[predicted], within(1e-6));
                double logMean = 0;
                for (float q : probabilities) {
                    logMean += Math.log(Math.max(OutputSpace.PROBABILITY_FLOOR, q)) / 10;
                }
                assertThat(v[i]).as("mask " + i).isCloseTo(Math.log(probabilities[predicted]) - logMean, within(1e-5));
            }
            Attribution a = new KernelShapExplainer(SETTINGS).explain(model, image, predicted, 3, OutputSpace.LOG_ODDS);
            assertThat(a.outputSpace()).isEqualTo(OutputSpace.LOG_ODDS);
            assertThat(a.efficiencyGap()).as(model.name()).isLessThan(1e-4);
            assertThat(a.baseValue()).isCloseTo(OutputSpace.LOG_ODDS.of(model.score(new float[Pixels.COUNT], 1), 0,
                    predicted), within(1e-6));
            assertThat(a.fullValue()).isCloseTo(OutputSpace.LOG_ODDS.of(model.score(image, 1), 0, predicted), within(1e-6));
            checkCommonShape(a, model, image, predicted);
        }
    }

    /** The ten probabilities of {@code image} with only the players {@code visible} marks shown. */
    private static float[] scoreMasked(ModelScorer model, float[] image, MaskedScorer scorer, boolean[] visible) {
        float[] masked = new float[Pixels.COUNT];
        int[] active = scorer.activeSegments();
        short[] ids = scorer.segments().ids();
        for (int p = 0; p < Pixels.COUNT; p++) {
            for (int i = 0; i < active.length; i++) {
                if (visible[i] && ids[p] == active[i]) {
                    masked[p] = image[p];
                }
            }
        }
        return model.score(masked, 1);
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    @Test
    void treeShapExplainsXgboostOnly() {
        TreeShapExplainer tree = new TreeShapExplainer(SETTINGS);
        assertThat(tree.supports(xgboost)).isTrue();
        assertThat(tree.supports(onnx)).isFalse();
        assertThat(new LimeExplainer(SETTINGS).supports(onnx)).isTrue();
        assertThat(new KernelShapExplainer(SETTINGS).supports(xgboost)).isTrue();
        assertThatThrownBy(() -> tree.explain(onnx, TestModels.input(test, 0, 1), 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("XGBoost models only");
        assertThatThrownBy(() -> tree.explain(xgboost, TestModels.input(test, 0, 1), 10, 0))
                .hasMessageContaining("target class must be 0 to 9");
        assertThatThrownBy(() -> tree.explain(xgboost, new float[3], 1, 0)).hasMessageContaining("784");
    }

    @Test
    void kernelShapMeetsEfficiencyOnBothRealModels() {
        KernelShapExplainer shap = new KernelShapExplainer(SETTINGS);
        for (ModelScorer model : List.of(onnx, xgboost)) {
            for (int i = 0; i < 3; i++) {
                float[] image = TestModels.input(test, i, 1);
                int predicted = ModelScorers.argmax(model.score(image, 1), 0);
                Attribution a = shap.explain(model, image, predicted, i);
                assertThat(a.efficiencyGap()).as(model + " image " + i).isLessThan(1e-4);
                assertThat(a.baseValue()).isCloseTo(a.outputSpace().of(model.score(new float[Pixels.COUNT], 1), 0, predicted),
                        within(1e-6));
                // the budget counts the non-null segments only; the null ones get exactly 0
                int nonNull = nonNullSegments(a, image);
                assertThat(nonNull).isLessThan(49);
                assertThat(a.samples()).isEqualTo(nonNull <= KernelShapExplainer.EXACT_MAX_SEGMENTS ? 1 << nonNull
                        : 2 * nonNull + 2048);
                checkCommonShape(a, model, image, predicted);
            }
        }
    }

    @Test
    void limeOnTheRealModelIsDeterministicAndFitsWell() {
        LimeExplainer lime = new LimeExplainer(SETTINGS);
        float[] image = TestModels.input(test, 0, 1);
        int predicted = ModelScorers.argmax(onnx.score(image, 1), 0);
        Attribution a = lime.explain(onnx, image, predicted, 11);
        Attribution b = lime.explain(onnx, image, predicted, 11);
        assertThat(a.segmentWeights()).containsExactly(b.segmentWeights());
        assertThat(a.deletionArea()).isEqualTo(b.deletionArea());
        assertThat(a.limeR2()).isBetween(0.0, 1.0);
        checkCommonShape(a, onnx, image, predicted);
    }

    @Test
    void slicSegmentationWorksForEveryMethod() {
        ExplainerSettings slic = SETTINGS.withSegmentation(new SlicSegmentation(40, 0.1));
        float[] image = TestModels.input(test, 1, 1);
        int predicted = ModelScorers.argmax(xgboost.score(image, 1), 0);
        for (AttributionMethod method : List.of(new LimeExplainer(slic), new KernelShapExplainer(slic),
                new TreeShapExplainer(slic))) {
            Attribution a = method.explain(xgboost, image, predicted, 3);
            assertThat(a.segments()).containsExactly(new SlicSegmentation(40, 0.1).segment(image));
            checkCommonShape(a, xgboost, image, predicted);
            if (a.efficiencyGap() != null) {
                assertThat(a.efficiencyGap()).as(a.method()).isLessThan(1e-4);
            }
        }
    }

    /** Prints the cost of one explanation of each method; asserts nothing about time. */
    @Test
    void timePerExplanation() {
        int runs = 5;
        List<AttributionMethod> methods = List.of(new LimeExplainer(SETTINGS), new KernelShapExplainer(SETTINGS),
                new TreeShapExplainer(SETTINGS));
        for (ModelScorer model : List.of(onnx, xgboost)) {
            for (AttributionMethod method : methods) {
                if (!method.supports(model)) {
                    continue;
                }
                method.explain(model, TestModels.input(test, 9, 1), 0, 0); // warm-up
                double total = 0;
                int samples = 0;
                for (int i = 0; i < runs; i++) {
                    float[] image = TestModels.input(test, i, 1);
                    int predicted = ModelScorers.argmax(model.score(image, 1), 0);
                    long start = System.nanoTime();
                    Attribution a = method.explain(model, image, predicted, i);
                    total += (System.nanoTime() - start) / 1e6;
                    samples = a.samples();
                }
                System.out.printf("TIMING %-11s %-8s %5d evaluations + 50 deletion: %8.1f ms per explanation "
                        + "(mean of %d, grid 4x4, batch %d, 1 native thread)%n", method.name(), model.name(), samples,
                        total / runs, runs, SETTINGS.batchSize());
            }
        }
    }

    /** Segments of the explanation with a pixel that is not 0 (the fill value). */
    static int nonNullSegments(Attribution a, float[] image) {
        boolean[] lit = new boolean[a.segmentWeights().length];
        for (int p = 0; p < Pixels.COUNT; p++) {
            lit[a.segments()[p]] |= image[p] != 0;
        }
        int n = 0;
        for (boolean b : lit) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** What every stored explanation must hold, whatever the method. */
    static void checkCommonShape(Attribution a, ModelScorer model, float[] image, int target) {
        int m = nonNullSegments(a, image);
        assertThat(a.targetClass()).isEqualTo(target);
        assertThat(a.segments()).hasSize(Pixels.COUNT);
        assertThat(a.attributions()).hasSize(Pixels.COUNT);
        Segments.of(a.segments());
        // the deletion curve skips the null segments (removing them changes nothing)
        assertThat(a.deletionCurve()).hasSize(m + 1);
        // the curve, in the explanation's space, starts at the model's output for the whole image and ends at
        // the blank image's
        OutputSpace space = a.outputSpace();
        assertThat(a.deletionCurve()[0]).isCloseTo((float) space.of(model.score(image, 1), 0, target), within(1e-5f));
        assertThat(a.deletionCurve()[m]).isCloseTo((float) space.of(model.score(new float[Pixels.COUNT], 1), 0, target),
                within(1e-5f));
        assertThat(a.deletionArea()).isCloseTo(DeletionCurve.area(a.deletionCurve()), within(1e-12));
        if (space == OutputSpace.PROBABILITY) {
            assertThat(a.deletionArea()).isBetween(0.0, 1.0);
        }
        assertThat(a.elapsedMs()).isPositive();
        for (float v : a.attributions()) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }
}
