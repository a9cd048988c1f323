package dev.fmnist.explainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.KernelShapExplainer;
import dev.fmnist.xai.LimeExplainer;
import dev.fmnist.xai.OutputSpace;
import dev.fmnist.xai.StableHash;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExplanationPairsTest {
    static final ModelRef MODEL = new ModelRef("lenet", 1);
    static final List<String> BOTH = List.of(ExplanationStored.LIME, ExplanationStored.KERNEL_SHAP);
    static final ExplainerSettings SETTINGS = ExplainerSettings.defaults().withShapBudget(600);

    @Test
    void theSecondMethodTakesThePairTheFirstComputedWithoutAModelCall() throws Exception {
        CountingScorer model = new CountingScorer();
        ExplanationPairs pairs = new ExplanationPairs(SETTINGS, 100);
        float[] image = image();

        Attribution lime = pairs.explain("r1", MODEL, ExplanationStored.LIME, model, image, 2, OutputSpace.LOG_ODDS);
        int afterFirst = model.images.get();
        assertThat(pairs.waiting()).isEqualTo(1);
        Attribution shap = pairs.explain("r1", MODEL, ExplanationStored.KERNEL_SHAP, model, image, 2, OutputSpace.LOG_ODDS);

        assertThat(model.images.get()).as("no model call for the second method").isEqualTo(afterFirst);
        assertThat(pairs.waiting()).isZero();
        assertThat(lime.method()).isEqualTo(ExplanationStored.LIME);
        // KernelSHAP is exactly what it is alone, with the seed the service gives it alone
        Attribution alone = new KernelShapExplainer(SETTINGS).explain(model, image, 2,
                StableHash.seed("r1", ExplanationStored.KERNEL_SHAP), OutputSpace.LOG_ODDS);
        assertThat(shap.segmentWeights()).containsExactly(alone.segmentWeights());
    }

    @Test
    void aModelsBudgetFactorMultipliesKernelShapsEvaluationsAndIsWhatItIsAlone() throws Exception {
        CountingScorer model = new CountingScorer();
        float[] image = image();
        Attribution plain = new ExplanationPairs(SETTINGS, 100).explain("r4", MODEL, ExplanationStored.KERNEL_SHAP, model,
                image, 2, OutputSpace.LOG_ODDS);
        Attribution doubled = new ExplanationPairs(SETTINGS, 100).explain("r4", MODEL, ExplanationStored.KERNEL_SHAP, model,
                image, 2, OutputSpace.LOG_ODDS, 2);
        // 16 non-null cells: sampled, not enumerated, so the budget is what is spent (up to whole pairs)
        assertThat(plain.samples()).isBetween(590, 600);
        assertThat(doubled.samples()).isBetween(1190, 1200);
        Attribution alone = new KernelShapExplainer(SETTINGS).explain(model, image, 2,
                StableHash.seed("r4", ExplanationStored.KERNEL_SHAP), OutputSpace.LOG_ODDS, 2);
        assertThat(doubled.segmentWeights()).containsExactly(alone.segmentWeights());
        assertThat(alone.samples()).isEqualTo(doubled.samples());
    }

    @Test
    void aMissedPairIsComputedAgainAndComesOutTheSame() throws Exception {
        CountingScorer model = new CountingScorer();
        float[] image = image();
        Attribution first = new ExplanationPairs(SETTINGS, 100).explain("r2", MODEL, ExplanationStored.LIME, model, image, 4,
                OutputSpace.LOG_ODDS);
        // another instance (a restart after kill -9): nothing kept, the same explanation
        Attribution again = new ExplanationPairs(SETTINGS, 100).explain("r2", MODEL, ExplanationStored.LIME, model, image, 4,
                OutputSpace.LOG_ODDS);
        assertThat(again.segmentWeights()).containsExactly(first.segmentWeights());
    }

    @Test
    void concurrentWorkersOnOnePredictionComputeItOnce() throws Exception {
        CountingScorer model = new CountingScorer();
        ExplanationPairs pairs = new ExplanationPairs(SETTINGS, 100);
        float[] image = image();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Attribution> lime = pool.submit(() -> pairs.explain("r3", MODEL, ExplanationStored.LIME, model, image, 1,
                    OutputSpace.LOG_ODDS));
            Future<Attribution> shap = pool.submit(() -> pairs.explain("r3", MODEL, ExplanationStored.KERNEL_SHAP, model,
                    image, 1, OutputSpace.LOG_ODDS));
            assertThat(lime.get().method()).isEqualTo(ExplanationStored.LIME);
            assertThat(shap.get().method()).isEqualTo(ExplanationStored.KERNEL_SHAP);
        } finally {
            pool.shutdownNow();
        }
        int once = model.images.get();
        new ExplanationPairs(SETTINGS, 100).explain("r3", MODEL, ExplanationStored.LIME, model, image, 1, OutputSpace.LOG_ODDS);
        assertThat(model.images.get() - once).as("one computation of the pair costs what the two workers spent").isEqualTo(once);
    }

    @Test
    void onlyLimeAndKernelShapOfAModelWithBothArePaired() {
        ExplanationPairs pairs = new ExplanationPairs(SETTINGS, 100);
        assertThat(pairs.covers(BOTH, ExplanationStored.LIME)).isTrue();
        assertThat(pairs.covers(BOTH, ExplanationStored.KERNEL_SHAP)).isTrue();
        assertThat(pairs.covers(List.of(ExplanationStored.LIME, ExplanationStored.TREE_SHAP), ExplanationStored.LIME)).isFalse();
        assertThat(pairs.covers(List.of(ExplanationStored.LIME, ExplanationStored.KERNEL_SHAP, ExplanationStored.TREE_SHAP),
                ExplanationStored.TREE_SHAP)).isFalse();
        assertThat(new ExplanationPairs(SETTINGS, 0).covers(BOTH, ExplanationStored.LIME)).as("0 = LIME alone").isFalse();
        assertThatThrownBy(() -> new ExplanationPairs(SETTINGS, -1))
                .hasMessage("explainer.lime.shared-samples must be 0 (LIME always alone) or more, got -1");
    }

    @Test
    void limeAloneIsTheReferenceWhenSharingIsOff() {
        // the path ExplanationService takes for 0: LimeExplainer with explainer.lime.samples masks
        Attribution a = new LimeExplainer(SETTINGS).explain(new CountingScorer(), image(), 2, 7, OutputSpace.LOG_ODDS);
        assertThat(a.samples()).isEqualTo(SETTINGS.limeSamples());
    }

    /** A grey square on black: 16 of the 49 grid cells are not background. */
    private static float[] image() {
        float[] image = new float[Pixels.COUNT];
        for (int r = 6; r < 22; r++) {
            for (int c = 6; c < 22; c++) {
                image[r * Pixels.SIDE + c] = 0.2f + 0.6f * ((r * 7 + c * 3) % 10) / 10f;
            }
        }
        return image;
    }

    /** A smooth function of the pixels with a softmax over ten classes; counts the images it scored. */
    static final class CountingScorer implements ModelScorer {
        final AtomicInteger images = new AtomicInteger();

        @Override
        public String name() {
            return "lenet";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public String format() {
            return ModelPublished.FORMAT_ONNX;
        }

        @Override
        public ExecutionProvider.Chosen provider() {
            return ExecutionProvider.Chosen.CPU;
        }

        @Override
        public float[] score(float[] input, int n) {
            ModelScorer.requireInput(input, n);
            images.addAndGet(n);
            float[] out = new float[n * OUTPUT_SIZE];
            for (int i = 0; i < n; i++) {
                double[] z = new double[OUTPUT_SIZE];
                for (int p = 0; p < Pixels.COUNT; p++) {
                    double v = input[i * Pixels.COUNT + p];
                    z[p % OUTPUT_SIZE] += v * ((p * 31 % 17) - 8) / 40.0 + v * v * (p % 3) / 30.0;
                }
                double sum = 0;
                for (int c = 0; c < OUTPUT_SIZE; c++) {
                    z[c] = Math.exp(z[c]);
                    sum += z[c];
                }
                for (int c = 0; c < OUTPUT_SIZE; c++) {
                    out[i * OUTPUT_SIZE + c] = (float) (z[c] / sum);
                }
            }
            return out;
        }

        @Override
        public void close() {
        }
    }
}
