package dev.fmnist.trainer.cnn;

import dev.fmnist.runtime.scoring.OnnxCnnScorer;
import dev.fmnist.runtime.scoring.ScorerOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LeNet as in the paper, training on a real subset, and ONNX export checked against the training engine. */
class CnnTrainingTest {
    static TrainingData split;
    /** The parity check's 1,000 images: training images, as the parity check needs no held-out ones. */
    static LabelledImages parityImages;

    @BeforeAll
    static void setUp() {
        DjlCnnTrainer.configureEngine(Path.of("target", "djl-cache"), 2);
        FashionMnist data = FashionMnist.load();
        split = TrainingData.of(data.train(), 42, 4_000);
        parityImages = TrainingData.stratifiedSample(data.train(), OnnxParity.IMAGES, 5);
    }

    @Test
    void lenetHasThePapersLayersAndParameterCount() {
        CnnArchitecture lenet = CnnArchitecture.lenet();
        assertThat(lenet.parameterCount()).isEqualTo(59_086);
        List<String> shapes = lenet.describe().stream().map(CnnArchitecture.LayerInfo::shape).toList();
        assertThat(shapes).containsExactly(
                "[6, 28, 28]", "[6, 28, 28]", "[6, 14, 14]",
                "[16, 10, 10]", "[16, 10, 10]", "[16, 5, 5]",
                "[400]", "[120]", "[120]", "[64]", "[64]", "[10]");

        // the DJL block built from the description has the same shapes and parameters
        List<Block> blocks = new ArrayList<>();
        SequentialBlock net = DjlCnnTrainer.buildBlock(lenet, blocks);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            Shape[] in = {new Shape(1, 1, 28, 28)};
            List<String> djlShapes = new ArrayList<>();
            long params = 0;
            for (Block b : blocks) {
                in = b.getOutputShapes(in);
                Shape s = in[0];
                djlShapes.add(s.dimension() == 2 ? "[" + s.get(1) + "]" : "[" + s.get(1) + ", " + s.get(2) + ", " + s.get(3) + "]");
                params += b.getDirectParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
            }
            assertThat(djlShapes).isEqualTo(shapes);
            assertThat(params).isEqualTo(59_086);
        }
    }

    @Test
    void lenetLearnsOnASubsetAndItsOnnxExportAgreesWithTheEngine() {
        List<EpochMetrics> epochs = new ArrayList<>();
        AtomicLong steps = new AtomicLong();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void epoch(String model, EpochMetrics metrics) {
                epochs.add(metrics);
            }

            @Override
            public void progress(String model, long done, long total) {
                steps.incrementAndGet();
            }
        };
        CnnTrainingSettings settings = CnnTrainingSettings.lenetDefaults().withEpochs(4).withThreads(2);
        DjlCnnTrainer.Result result = DjlCnnTrainer.train(CnnArchitecture.lenet(), split.train(), split.validation(),
                settings, listener);

        assertThat(epochs).hasSize(4);
        assertThat(steps.get()).isEqualTo(4L * ((split.train().size() + 127) / 128));
        assertThat(epochs.get(3).trainLoss()).isLessThan(epochs.get(0).trainLoss());
        assertThat(result.bestValidationAccuracy()).isGreaterThan(0.65);

        assertOnnxAgrees(result.weights(), parityImages);
    }

    @Test
    void cnnWithBatchNormExportsFoldedAndAgreesWithTheEngine() {
        // random erasing, label smoothing and weight averaging on, whatever the defaults: their path through the
        // engine is exercised, and the averaged weights (batch norm statistics included) are what is exported
        CnnTrainingSettings settings = CnnTrainingSettings.cnnDefaults().withEpochs(1).withThreads(2)
                .withAugmentation(CnnTrainingSettings.Augmentation.FLIP_ERASE).withLabelSmoothing(0.1f)
                .withAverageDecay(0.99f);
        DjlCnnTrainer.Result result = DjlCnnTrainer.train(CnnArchitecture.cnn(), split.train().head(1_500),
                split.validation(), settings, TrainingListener.NONE);
        assertThat(result.bestValidationAccuracy()).isGreaterThan(0.3);

        assertOnnxAgrees(result.weights(), parityImages);
    }

    @Test
    void aRefitWithoutValidationTrainsEveryEpochAndKeepsTheLast() {
        // patience 1 would stop a validated run early; a refit has nothing to stop on and runs its epochs
        CnnTrainingSettings settings = CnnTrainingSettings.lenetDefaults().withEpochs(3).withThreads(2)
                .withBatchAndPatience(128, 1);
        TrainingData refit = split.refit();
        DjlCnnTrainer.Result result = DjlCnnTrainer.train(CnnArchitecture.lenet(), refit.train(), refit.validation(),
                settings, TrainingListener.NONE);
        assertThat(result.epochs()).hasSize(3);
        assertThat(result.bestEpoch()).isEqualTo(3);
        assertThat(result.epochs()).allSatisfy(e -> assertThat(e.validationAccuracy()).isNaN());
        assertThat(result.epochs().get(2).trainAccuracy()).isGreaterThan(result.epochs().get(0).trainAccuracy());
        // the weights kept are trained ones: on the training images they beat the first epoch's running accuracy
        float[] probs = DjlCnnTrainer.predict(result.weights(), refit.train().modelInput(), refit.train().size());
        double accuracy = dev.fmnist.trainer.evaluation.Evaluation.of("train", refit.train(),
                dev.fmnist.trainer.evaluation.Evaluation.argmax(probs, refit.train().size())).accuracy();
        assertThat(accuracy).isGreaterThan(Math.max(0.5, result.epochs().get(0).trainAccuracy()));
        assertOnnxAgrees(result.weights(), parityImages);
    }

    @Test
    void mirrorAveragedExportScoresAnImageAndItsMirrorAlikeAsTheMeanOfBothViewsLogits() {
        DjlCnnTrainer.Result result = DjlCnnTrainer.train(CnnArchitecture.lenet(), split.train().head(1_500),
                split.validation(), CnnTrainingSettings.lenetDefaults().withEpochs(1).withThreads(2), TrainingListener.NONE);
        CnnWeights plain = result.weights();
        CnnWeights mirrored = new CnnWeights(plain.architecture().withMirrorAveraging(true), plain.layers());
        assertThat(mirrored.architecture().multiplyAdds()).isEqualTo(2 * plain.architecture().multiplyAdds());
        // the engine's reference does the same as the graph: the parity check holds for the mirror-averaged model
        assertOnnxAgrees(mirrored, parityImages);

        int n = 200;
        float[] images = parityImages.head(n).modelInput();
        float[] flipped = DjlCnnTrainer.mirror(images, 0, n);
        try (OnnxCnnScorer once = new OnnxCnnScorer("lenet", 1, OnnxCnnExporter.export(plain, Map.of()),
                ScorerOptions.cpu().withThreads(2));
             OnnxCnnScorer both = new OnnxCnnScorer("lenet", 1, OnnxCnnExporter.export(mirrored, Map.of()),
                     ScorerOptions.cpu().withThreads(2))) {
            float[] p = once.score(images, n);
            float[] q = once.score(flipped, n);
            float[] averaged = both.score(images, n);
            float[] averagedOfMirrors = both.score(flipped, n);
            double largestEffect = 0;
            for (int i = 0; i < n; i++) {
                // softmax of the mean of two logit vectors: the normalised geometric mean of the two probabilities
                double[] expected = new double[10];
                double sum = 0;
                for (int k = 0; k < 10; k++) {
                    expected[k] = Math.sqrt((double) p[i * 10 + k] * q[i * 10 + k]);
                    sum += expected[k];
                }
                for (int k = 0; k < 10; k++) {
                    assertThat((double) averaged[i * 10 + k]).isCloseTo(expected[k] / sum, within(1e-5));
                    assertThat(averagedOfMirrors[i * 10 + k]).isCloseTo(averaged[i * 10 + k], within(1e-5f));
                    largestEffect = Math.max(largestEffect, Math.abs(averaged[i * 10 + k] - p[i * 10 + k]));
                }
            }
            // a graph that ignored the mirror would pass the checks above only if the net were already symmetric
            assertThat(largestEffect).isGreaterThan(0.01);
        }
    }

    @Test
    void weightAverageFollowsTheWeightsWithAWarmUpDecay() {
        List<Block> blocks = new ArrayList<>();
        SequentialBlock net = DjlCnnTrainer.buildBlock(CnnArchitecture.lenet(), blocks);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            ai.djl.nn.Parameter weight = blocks.get(0).getDirectParameters().get("weight");
            float initial = weight.getArray().toFloatArray()[0];
            DjlCnnTrainer.WeightAverage average = new DjlCnnTrainer.WeightAverage(blocks, m, 0.9f);
            assertThat(average.weights().get(0).get("weight")[0]).isEqualTo(initial);

            // step 1: decay min(0.9, 2/11), so the average moves 9/11 of the way to the new weights
            weight.getArray().set(java.nio.FloatBuffer.wrap(filled(weight.getArray().size(), 1f)));
            try (NDManager scratch = m.newSubManager()) {
                average.update(scratch);
            }
            float d1 = 2f / 11;
            assertThat(average.weights().get(0).get("weight")[0]).isCloseTo(d1 * initial + (1 - d1), within(1e-6f));

            // after many steps at the same weights the decay is 0.9 and the average has converged to them
            for (int t = 0; t < 200; t++) {
                try (NDManager scratch = m.newSubManager()) {
                    average.update(scratch);
                }
            }
            assertThat(average.weights().get(0).get("weight")).containsOnly(filled(weight.getArray().size(), 1f), within(1e-5f));
            // every parameter of every block is averaged, keyed as the exporter expects
            assertThat(average.weights()).hasSameSizeAs(blocks);
            assertThat(average.weights().get(7).keySet()).containsExactly("weight", "bias");
        }
    }

    private static float[] filled(long n, float value) {
        float[] a = new float[(int) n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    @Test
    void augmentationFlipsAndShiftsWithinTwoPixels() {
        float[] src = new float[784];
        src[10 * 28 + 5] = 1f; // one bright pixel at (x=5, y=10)
        java.util.Random random = new java.util.Random(3);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 400; i++) {
            float[] dst = new float[784];
            java.util.Arrays.fill(dst, 9f);
            DjlCnnTrainer.augment(src, 0, dst, 0, random, CnnTrainingSettings.MAX_SHIFT);
            int bright = -1;
            for (int p = 0; p < 784; p++) {
                assertThat(dst[p]).isIn(0f, 1f); // every pixel written, zero-filled
                if (dst[p] == 1f) {
                    bright = p;
                }
            }
            int x = bright % 28, y = bright / 28;
            boolean plain = Math.abs(x - 5) <= 2;
            boolean flipped = Math.abs(x - 22) <= 2;
            assertThat(plain || flipped).as("x=" + x).isTrue();
            assertThat(Math.abs(y - 10)).isLessThanOrEqualTo(2);
            seen.add((flipped ? "f" : "p") + (x % 5) + "," + y);
        }
        assertThat(seen.size()).isGreaterThan(30); // both orientations, all 25 shifts occur
    }

    @Test
    void randomErasingZeroesOneRectangleOfTwoToFortyPercentAboutHalfTheTime() {
        java.util.Random random = new java.util.Random(11);
        int erased = 0;
        for (int i = 0; i < 1_000; i++) {
            float[] image = new float[2 * 784];
            java.util.Arrays.fill(image, 1f);
            DjlCnnTrainer.erase(image, 784, random);
            int zeros = 0, minX = 28, maxX = -1, minY = 28, maxY = -1;
            for (int p = 0; p < 784; p++) {
                assertThat(image[p]).isEqualTo(1f); // the image before the offset is untouched
                if (image[784 + p] == 0f) {
                    zeros++;
                    minX = Math.min(minX, p % 28);
                    maxX = Math.max(maxX, p % 28);
                    minY = Math.min(minY, p / 28);
                    maxY = Math.max(maxY, p / 28);
                }
            }
            if (zeros > 0) {
                erased++;
                assertThat(zeros).isEqualTo((maxX - minX + 1) * (maxY - minY + 1)); // one filled rectangle
                assertThat(zeros).isBetween(8, 330); // 2-40 % of 784, rounded sides
            }
        }
        assertThat(erased).isBetween(440, 560);
    }

    @Test
    void smoothedTargetsAreDistributionsPeakedOnTheLabel() {
        float[] targets = new float[3 * 10];
        DjlCnnTrainer.smoothTarget(targets, 1, 7, 0.1f);
        double sum = 0;
        for (int c = 0; c < 10; c++) {
            sum += targets[10 + c];
            assertThat(targets[10 + c]).isCloseTo(c == 7 ? 0.91f : 0.01f, org.assertj.core.api.Assertions.within(1e-6f));
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(targets[0]).isZero();
        assertThat(targets[20]).isZero();
    }

    /** 1,000 test images: max |p_onnx - p_djl| <= 1e-4 and identical predicted classes. */
    static void assertOnnxAgrees(CnnWeights weights, LabelledImages images) {
        assertThat(images.size()).isEqualTo(1_000);
        float[] input = images.modelInput();
        float[] reference = DjlCnnTrainer.predict(weights, input, images.size());
        byte[] onnx = OnnxCnnExporter.export(weights, Map.of("version", "1", "training_run_id", "test-run"));
        try (OnnxCnnScorer model = new OnnxCnnScorer("cnn", 1, onnx, ScorerOptions.cpu().withThreads(2))) {
            float[] probs = model.score(input, images.size());
            OnnxParity.Result parity = OnnxParity.compare(reference, probs, images.size());
            assertThat(parity.maxDifference()).isLessThanOrEqualTo(1e-4);
            assertThat(parity.classesDiffering()).isZero();
            assertThat(Evaluation.argmax(probs, images.size())).isEqualTo(Evaluation.argmax(reference, images.size()));
            assertThat(model.metadata()).containsEntry("name", weights.architecture().name())
                    .containsEntry("version", "1").containsEntry("training_run_id", "test-run");
        }
    }

    @Test
    void flipOnlyAugmentationMirrorsOrKeepsTheImageAndNeverShifts() {
        float[] src = new float[784];
        src[10 * 28 + 5] = 1f;
        java.util.Random random = new java.util.Random(5);
        java.util.Set<Integer> positions = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            float[] dst = new float[784];
            DjlCnnTrainer.augment(src, 0, dst, 0, random, 0);
            for (int p = 0; p < 784; p++) {
                if (dst[p] == 1f) {
                    positions.add(p);
                }
            }
        }
        assertThat(positions).containsExactlyInAnyOrder(10 * 28 + 5, 10 * 28 + 22);
    }

    @Test
    void settingsRejectUnknownOptimizersAndParseAugmentations() {
        assertThat(CnnTrainingSettings.Augmentation.parse("flip")).isEqualTo(CnnTrainingSettings.Augmentation.FLIP);
        assertThat(CnnTrainingSettings.Augmentation.parse("flip-shift"))
                .isEqualTo(CnnTrainingSettings.Augmentation.FLIP_SHIFT);
        assertThat(CnnTrainingSettings.Augmentation.parse("none")).isEqualTo(CnnTrainingSettings.Augmentation.NONE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CnnTrainingSettings.Augmentation.parse("rotate"))
                .hasMessageContaining("none, flip, flip-shift or flip-erase");
        assertThat(CnnTrainingSettings.Augmentation.parse("flip-erase")).isEqualTo(CnnTrainingSettings.Augmentation.FLIP_ERASE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CnnTrainingSettings.cnnDefaults().withLabelSmoothing(1f))
                .hasMessageContaining("label smoothing");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CnnTrainingSettings.cnnDefaults().withAverageDecay(1f))
                .hasMessageContaining("weight averaging decay");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> CnnTrainingSettings.lenetDefaults().withOptimizer("rmsprop", 0.01f, 0f))
                .hasMessageContaining("adam or sgd");
    }
}
