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
    void treeShapMeetsEfficiencyInMarginSpaceOnARealBooster() {
        TreeShapExplainer tree = new TreeShapExplainer(SETTINGS);
        double bias = Double.NaN;
        for (int i = 0; i < test.size(); i++) {
            float[] image = TestModels.input(test, i, 1);
            int predicted = ModelScorers.argmax(xgboost.score(image, 1), 0);
            Attribution a = tree.explain(xgboost, image, predicted, 0);

            double margin = xgboost.margins(image, 1)[predicted];
            assertThat(a.fullValue()).isEqualTo(margin);
            assertThat(a.efficiencyGap()).as("image " + i).isLessThan(1e-4);
            // checked independently here: the pixel values plus the bias give the margin
            double sum = 0;
            for (float v : a.attributions()) {
                sum += v;
            }
            assertThat(Math.abs(sum + a.baseValue() - margin)).isLessThan(1e-4);
            // the segment weights are the sums of their pixels
            double[] perSegment = new double[a.segmentWeights().length];
            for (int p = 0; p < Pixels.COUNT; p++) {
                perSegment[a.segments()[p]] += a.attributions()[p];
            }
            for (int s = 0; s < perSegment.length; s++) {
                assertThat((double) a.segmentWeights()[s]).isCloseTo(perSegment[s], within(1e-5));
            }
            // the bias is the model's expected margin: the same for every image
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
                assertThat(a.baseValue()).isCloseTo(model.score(new float[Pixels.COUNT], 1)[predicted], within(1e-6));
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
        // the curve starts at the model's probability for the whole image and ends at the blank image's
        float[] full = model.score(image, 1);
        assertThat(a.deletionCurve()[0]).isCloseTo(full[target], within(1e-6f));
        assertThat(a.deletionCurve()[m]).isCloseTo(model.score(new float[Pixels.COUNT], 1)[target], within(1e-6f));
        assertThat(a.deletionArea()).isCloseTo(DeletionCurve.area(a.deletionCurve()), within(1e-12));
        assertThat(a.deletionArea()).isBetween(0.0, 1.0);
        assertThat(a.elapsedMs()).isPositive();
        for (float v : a.attributions()) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }
}
