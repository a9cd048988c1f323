package dev.fmnist.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.data.LabelledImages;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchSplitterTest {
    static final LabelledImages IMAGES = TestModels.trainingSample(1000);

    @Test
    void aLargeBatchOnIdleCoresIsScoredInPartsWithExactlyTheResultsOfOneCall() {
        byte[] onnx = TestModels.templateOnnx("lenet", IMAGES, 100);
        try (OnnxCnnScorer scorer = new OnnxCnnScorer("lenet", 1, onnx, ScorerOptions.cpu().withThreads(1));
             XgboostScorer forest = new XgboostScorer("forest", 1, TestModels.forestUbj(IMAGES, 10, 6),
                     ScorerOptions.cpu().withThreads(1));
             BatchSplitter splitter = new BatchSplitter(3, 64)) {
            for (ModelScorer model : List.of(scorer, forest)) {
                for (int n : new int[] {255, 256, 300}) {
                    float[] input = TestModels.input(IMAGES, 0, n);
                    long before = splitter.splitCalls();
                    assertThat(splitter.score(model, input, n)).as("%s, %d images", model, n)
                            .containsExactly(model.score(input, n));
                    assertThat(splitter.splitCalls()).isEqualTo(before + 1);
                }
            }
            // three cores, 300 images: three parts, two of them on helpers (3 batch sizes x 2 models x 2 helpers)
            assertThat(splitter.helperParts()).isEqualTo(12);
        }
    }

    @Test
    void aBatchOfFewerThanTwoPartsIsNotSplit() {
        Recording model = new Recording(null);
        try (BatchSplitter splitter = new BatchSplitter(2, 64)) {
            splitter.score(model, new float[127 * ModelScorer.INPUT_SIZE], 127);
            assertThat(model.calls).containsExactly(127);
            assertThat(splitter.splitCalls()).isZero();
            splitter.score(model, new float[128 * ModelScorer.INPUT_SIZE], 128);
            assertThat(model.calls).containsExactly(127, 64, 64);
        }
    }

    @Test
    void whileAnotherCallHoldsTheOtherCoreNothingIsSplit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Recording slow = new Recording(release);
        Recording model = new Recording(null);
        try (BatchSplitter splitter = new BatchSplitter(2, 64)) {
            // a call that is never split (a Kafka batch) holds a core all the same
            Thread other = new Thread(() -> splitter.scoreWhole(slow, new float[256 * ModelScorer.INPUT_SIZE], 256));
            other.start();
            assertThat(slow.entered.await(5, TimeUnit.SECONDS)).isTrue();
            splitter.score(model, new float[256 * ModelScorer.INPUT_SIZE], 256);
            assertThat(model.calls).as("both cores taken: one whole call").containsExactly(256);
            release.countDown();
            other.join(5000);
            splitter.score(model, new float[256 * ModelScorer.INPUT_SIZE], 256);
            assertThat(model.calls).as("the other core free again").containsExactly(256, 128, 128);
            assertThat(slow.calls).as("never split").containsExactly(256);
        }
    }

    @Test
    void aGpuModelIsCalledWhole() {
        Recording gpu = new Recording(null, ExecutionProvider.Chosen.CUDA);
        try (BatchSplitter splitter = new BatchSplitter(4, 8)) {
            splitter.score(gpu, new float[256 * ModelScorer.INPUT_SIZE], 256);
            assertThat(gpu.calls).containsExactly(256);
        }
    }

    @Test
    void aFailingPartFailsTheCallAndFreesItsCores() {
        Recording model = new Recording(null);
        try (BatchSplitter splitter = new BatchSplitter(2, 64)) {
            model.failAt = 1;
            assertThatThrownBy(() -> splitter.score(model, new float[256 * ModelScorer.INPUT_SIZE], 256))
                    .isInstanceOf(ScoringException.class).hasMessageContaining("part failed");
            model.failAt = -1;
            model.calls.clear();
            splitter.score(model, new float[256 * ModelScorer.INPUT_SIZE], 256);
            assertThat(model.calls).as("the cores were given back").containsExactly(128, 128);
        }
    }

    /** Records the batch size of each call; the n-th call ({@code failAt}) fails; may wait for a latch. */
    static final class Recording implements ModelScorer {
        final List<Integer> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch release;
        private final ExecutionProvider.Chosen provider;
        volatile int failAt = -1;

        Recording(CountDownLatch release) {
            this(release, ExecutionProvider.Chosen.CPU);
        }

        Recording(CountDownLatch release, ExecutionProvider.Chosen provider) {
            this.release = release;
            this.provider = provider;
        }

        @Override
        public float[] score(float[] input, int n) {
            calls.add(n);
            entered.countDown();
            if (calls.size() - 1 == failAt) {
                throw new ScoringException("part failed", null);
            }
            if (release != null) {
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new float[n * OUTPUT_SIZE];
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public String format() {
            return "onnx";
        }

        @Override
        public ExecutionProvider.Chosen provider() {
            return provider;
        }

        @Override
        public void close() {
        }
    }
}
