package dev.fmnist.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelPublished;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both scorers on tiny real models trained here from real Fashion-MNIST images. */
class ScorersTest {
    static LabelledImages test;
    static byte[] onnx;
    static byte[] xgboost;
    static OnnxCnnScorer cnn;
    static XgboostScorer xgb;

    @BeforeAll
    static void models() {
        LabelledImages train = TestModels.trainingSample(600);
        test = FashionMnist.load().test().head(400);
        onnx = TestModels.templateOnnx("lenet", train, 12f);
        xgboost = TestModels.xgboostUbj(train, 8, 3);
        ScorerOptions options = new ScorerOptions(ExecutionProvider.CPU, 1, 64);
        cnn = new OnnxCnnScorer("lenet", 3, onnx, options);
        xgb = new XgboostScorer("xgboost", 2, xgboost, options);
    }

    @AfterAll
    static void close() {
        cnn.close();
        xgb.close();
    }

    @Test
    void onnxScorerGivesTenProbabilitiesPerImageSummingToOne() {
        checkProbabilities(cnn, 150);
        assertThat(cnn.name()).isEqualTo("lenet");
        assertThat(cnn.version()).isEqualTo(3);
        assertThat(cnn.format()).isEqualTo(ModelPublished.FORMAT_ONNX);
        assertThat(cnn.provider()).isEqualTo(ExecutionProvider.Chosen.CPU);
        assertThat(cnn.metadata()).containsEntry("name", "lenet");
    }

    @Test
    void xgboostScorerGivesTenProbabilitiesPerImageSummingToOne() {
        checkProbabilities(xgb, 150);
        assertThat(xgb.format()).isEqualTo(ModelPublished.FORMAT_XGBOOST_UBJ);
        assertThat(xgb.provider()).isEqualTo(ExecutionProvider.Chosen.CPU);
    }

    @Test
    void bothModelsClassifyRealImagesFarAboveChance() {
        assertThat(accuracy(cnn)).isGreaterThan(0.5);
        assertThat(accuracy(xgb)).isGreaterThan(0.5);
    }

    @Test
    void batchesLargerThanTheBufferAreSplitAndGiveTheSameAsSingleImages() {
        for (ModelScorer scorer : List.of(cnn, xgb)) {
            int n = 150; // maxBatch is 64: three native calls
            float[] batch = scorer.score(TestModels.input(test, 0, n), n);
            for (int i : new int[] {0, 63, 64, 149}) {
                float[] one = scorer.score(TestModels.input(test, i, 1), 1);
                for (int c = 0; c < 10; c++) {
                    assertThat(batch[i * 10 + c]).as(scorer + " image " + i).isCloseTo(one[c], within(1e-5f));
                }
            }
        }
    }

    @Test
    void xgboostContributionsSumToTheMarginsAndTheMarginsGiveTheProbabilities() {
        assertTreeShapEfficiency(xgb);
    }

    @Test
    void forestOfParallelTreesGivesContributionsThatSumToItsMargins() {
        byte[] forest = TestModels.forestUbj(TestModels.trainingSample(600), 8, 6);
        try (XgboostScorer rf = new XgboostScorer("forest", 1, forest, new ScorerOptions(ExecutionProvider.CPU, 1, 64))) {
            // one round of 8 parallel trees per class: the booster holds 80 trees
            assertThat(rf.rounds()).isEqualTo(1);
            assertThat(treeCount(rf.toUbj())).isEqualTo(8 * FashionClass.COUNT);
            checkProbabilities(rf, 150);
            assertTreeShapEfficiency(rf);
        }
    }

    /** The trees of a UBJSON booster: XGBoost writes each tree's {@code tree_param} once. */
    static int treeCount(byte[] ubj) {
        String text = new String(ubj, java.nio.charset.StandardCharsets.ISO_8859_1);
        int count = 0;
        for (int at = text.indexOf("tree_param"); at >= 0; at = text.indexOf("tree_param", at + 1)) {
            count++;
        }
        return count;
    }

    private static void assertTreeShapEfficiency(XgboostScorer xgb) {
        int n = 70; // maxBatch is 64: two native calls
        float[] input = TestModels.input(test, 0, n);
        float[] probabilities = xgb.score(input, n);
        float[] margins = xgb.margins(input, n);
        float[] contributions = xgb.contributions(input, n);
        int width = ModelScorer.INPUT_SIZE + 1;
        assertThat(margins).hasSize(n * FashionClass.COUNT);
        assertThat(contributions).hasSize(n * FashionClass.COUNT * width);
        for (int i = 0; i < n; i++) {
            double norm = 0;
            double[] exp = new double[FashionClass.COUNT];
            for (int c = 0; c < FashionClass.COUNT; c++) {
                int row = (i * FashionClass.COUNT + c) * width;
                double sum = 0;
                for (int f = 0; f < width; f++) {
                    sum += contributions[row + f];
                }
                // efficiency of TreeSHAP: pixel contributions plus the bias give the margin
                assertThat(sum).as("image " + i + " class " + c).isCloseTo(margins[i * 10 + c], within(1e-4));
                exp[c] = Math.exp(margins[i * 10 + c]);
                norm += exp[c];
            }
            for (int c = 0; c < FashionClass.COUNT; c++) {
                assertThat(exp[c] / norm).isCloseTo(probabilities[i * 10 + c], within(1e-5));
            }
        }
        // the bias is the same for every image: the model's expected margin, not a property of one image
        assertThat(contributions[width - 1]).isEqualTo(contributions[FashionClass.COUNT * width + width - 1]);
        // a pixel that is 0 in every training image splits no tree: no contribution
        assertThat(contributions[0]).isZero();
        float[] one = xgb.contributions(TestModels.input(test, 65, 1), 1);
        assertThat(one).containsExactly(java.util.Arrays.copyOfRange(contributions, 65 * 10 * width, 66 * 10 * width),
                within(1e-6f));
    }

    @Test
    void inputLongerThanNeededIsReadOnlyForTheFirstNImages() {
        float[] input = TestModels.input(test, 0, 10);
        for (ModelScorer scorer : List.of(cnn, xgb)) {
            float[] three = scorer.score(input, 3);
            assertThat(three).hasSize(30);
            assertThat(three).containsExactly(scorer.score(TestModels.input(test, 0, 3), 3), within(1e-6f));
        }
    }

    @Test
    void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
        float[] input = TestModels.input(test, 0, 100);
        float[] expectedCnn = cnn.score(input, 100);
        float[] expectedXgb = xgb.score(input, 100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                results.add(pool.submit(() -> java.util.Arrays.equals(cnn.score(input, 100), expectedCnn)
                        && java.util.Arrays.equals(xgb.score(input, 100), expectedXgb)));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void warmUpRunsAndBadArgumentsAreRefused() {
        cnn.warmUp(64);
        xgb.warmUp(64);
        assertThatThrownBy(() -> cnn.score(new float[783], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("784");
        assertThatThrownBy(() -> xgb.score(new float[784], 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void artifactsThatAreNotModelsOrBreakTheContractAreRefused() {
        ScorerOptions options = ScorerOptions.cpu().withThreads(1);
        assertThatThrownBy(() -> new OnnxCnnScorer("cnn", 1, new byte[] {1, 2, 3}, options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cnn/1");
        assertThatThrownBy(() -> new OnnxCnnScorer("cnn", 1, TestModels.wrongInputOnnx(), options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image");
        assertThatThrownBy(() -> new XgboostScorer("xgboost", 1, new byte[] {1, 2, 3}, options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("xgboost/1");
        assertThatThrownBy(() -> ModelScorers.open("cnn", 1, "pickle", onnx, options))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown format");
    }

    @Test
    void modelScorersOpensByFormat() {
        ScorerOptions options = ScorerOptions.cpu().withThreads(1);
        try (ModelScorer a = ModelScorers.open("cnn", 4, ModelPublished.FORMAT_ONNX, onnx, options);
             ModelScorer b = ModelScorers.open("xgboost", 5, ModelPublished.FORMAT_XGBOOST_UBJ, xgboost, options)) {
            assertThat(a).isInstanceOf(OnnxCnnScorer.class);
            assertThat(b).isInstanceOf(XgboostScorer.class);
            assertThat(a.toString()).isEqualTo("cnn/4 (onnx, CPU)");
        }
    }

    @Test
    void closedXgboostScorerRefusesCalls() {
        XgboostScorer scorer = new XgboostScorer("xgboost", 9, xgboost, ScorerOptions.cpu().withThreads(1));
        scorer.close();
        scorer.close();
        assertThatThrownBy(() -> scorer.score(new float[784], 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> scorer.contributions(new float[784], 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> scorer.margins(new float[784], 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void autoFallsBackToTheCpuOnThisMachineAndCudaFailsClearly() {
        Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "a CUDA build of ONNX Runtime is on the class path");
        ScorerOptions auto = new ScorerOptions(ExecutionProvider.AUTO, 1, 16);
        try (OnnxCnnScorer a = new OnnxCnnScorer("cnn", 1, onnx, auto);
             XgboostScorer b = new XgboostScorer("xgboost", 1, xgboost, auto)) {
            assertThat(a.provider()).isEqualTo(ExecutionProvider.Chosen.CPU);
            assertThat(b.provider()).isEqualTo(ExecutionProvider.Chosen.CPU);
            assertThat(a.score(TestModels.input(test, 0, 2), 2)).hasSize(20);
        }
        ScorerOptions cuda = auto.withProvider(ExecutionProvider.CUDA);
        assertThatThrownBy(() -> new OnnxCnnScorer("cnn", 1, onnx, cuda))
                .isInstanceOf(ExecutionProvider.CudaUnavailableException.class)
                .hasMessageContaining("'cuda' was asked for")
                .hasMessageContaining("no CUDA execution provider")
                .hasMessageContaining("profile cuda");
        assertThatThrownBy(() -> new XgboostScorer("xgboost", 1, xgboost, cuda))
                .isInstanceOf(ExecutionProvider.CudaUnavailableException.class)
                .hasMessageContaining("XGBoost4J build has no CUDA support");
    }

    @Test
    void executionProviderParsesTheConfiguredValues() {
        assertThat(ExecutionProvider.parse("auto")).isEqualTo(ExecutionProvider.AUTO);
        assertThat(ExecutionProvider.parse(" CUDA ")).isEqualTo(ExecutionProvider.CUDA);
        assertThat(ExecutionProvider.parse("cpu").configValue()).isEqualTo("cpu");
        assertThatThrownBy(() -> ExecutionProvider.parse("tpu")).hasMessageContaining("auto, cuda, cpu");
        assertThat(ExecutionProvider.CPU.configure(new OrtSession.SessionOptions())).isEqualTo(ExecutionProvider.Chosen.CPU);
    }

    private static void checkProbabilities(ModelScorer scorer, int n) {
        float[] p = scorer.score(TestModels.input(test, 0, n), n);
        assertThat(p).hasSize(n * FashionClass.COUNT);
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                assertThat(p[i * 10 + c]).isBetween(0f, 1f);
                sum += p[i * 10 + c];
            }
            assertThat(sum).as("row " + i).isCloseTo(1.0, within(1e-4));
        }
    }

    private static double accuracy(ModelScorer scorer) {
        int n = test.size();
        float[] p = scorer.score(TestModels.input(test, 0, n), n);
        int right = 0;
        for (int i = 0; i < n; i++) {
            right += ModelScorers.argmax(p, i) == test.label(i) ? 1 : 0;
        }
        return (double) right / n;
    }

    @Test
    void xgboostImportanceNamesThePixelsTheTreesSplitOn() {
        float[] gain = xgb.importance("gain");
        float[] weight = xgb.importance("weight");
        float[] totalGain = xgb.importance("total_gain");
        assertThat(gain).hasSize(784);
        int used = 0;
        for (int i = 0; i < 784; i++) {
            assertThat(gain[i]).isGreaterThanOrEqualTo(0f);
            assertThat(gain[i] > 0).as("pixel %d has gain exactly when it is split on", i).isEqualTo(weight[i] > 0);
            // gain is the mean over the splits, total_gain their sum
            assertThat((double) totalGain[i]).isCloseTo((double) gain[i] * weight[i],
                    org.assertj.core.data.Offset.offset(1e-3 * Math.max(1, totalGain[i])));
            used += weight[i] > 0 ? 1 : 0;
        }
        // 8 rounds x 10 classes of depth-3 trees split on at most 8 x 10 x 7 pixels, and on some
        assertThat(used).isBetween(1, 560);
        assertThatThrownBy(() -> xgb.importance("shap")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gain");
    }
}
