package dev.fmnist.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fmnist.common.data.LabelledImages;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A CUDA build on a machine without a usable GPU: ONNX Runtime has the CUDA provider, adding it succeeds, and
 * the session creation fails (as onnxruntime_gpu does when no CUDA-capable device or driver is found). Simulated
 * here by a session maker that claims CUDA and fails the first creation; the second creation is real.
 */
class CudaFallbackTest {
    static final LabelledImages IMAGES = TestModels.trainingSample(1000);
    static final String CUDA_FAILURE = "CUDA failure 100: no CUDA-capable device is detected";

    /** Claims CUDA; fails every creation of a session that was configured for CUDA. */
    static final class NoGpu implements OnnxCnnScorer.Sessions {
        final List<ExecutionProvider.Chosen> created = new ArrayList<>();
        private ExecutionProvider.Chosen configured;

        @Override
        public ExecutionProvider.Chosen configure(ExecutionProvider requested, OrtSession.SessionOptions options) {
            configured = requested == ExecutionProvider.CPU ? ExecutionProvider.Chosen.CPU : ExecutionProvider.Chosen.CUDA;
            return configured;
        }

        @Override
        public OrtSession create(OrtEnvironment env, byte[] onnx, OrtSession.SessionOptions options) throws OrtException {
            ExecutionProvider.Chosen on = configured;
            configured = ExecutionProvider.Chosen.CPU; // a second creation (the fallback) is on fresh CPU options
            if (on == ExecutionProvider.Chosen.CUDA) {
                throw new OrtException(CUDA_FAILURE);
            }
            created.add(on);
            return OnnxCnnScorer.ORT.create(env, onnx, options);
        }
    }

    @Test
    void autoFallsBackToTheCpuWhenTheCudaProviderFailsAtSessionCreation() {
        NoGpu sessions = new NoGpu();
        byte[] onnx = TestModels.templateOnnx("lenet", IMAGES, 100);
        try (OnnxCnnScorer scorer = new OnnxCnnScorer("lenet", 1, onnx, ScorerOptions.cpu().withProvider(ExecutionProvider.AUTO)
                .withThreads(1), sessions)) {
            assertThat(scorer.provider()).isEqualTo(ExecutionProvider.Chosen.CPU);
            assertThat(sessions.created).containsExactly(ExecutionProvider.Chosen.CPU);
            // it scores: the same probabilities as a model opened on the CPU directly
            try (OnnxCnnScorer cpu = new OnnxCnnScorer("lenet", 1, onnx, ScorerOptions.cpu().withThreads(1))) {
                float[] input = TestModels.input(IMAGES, 0, 8);
                assertThat(scorer.score(input, 8)).containsExactly(cpu.score(input, 8));
            }
        }
    }

    @Test
    void cudaRequiredFailsWithTheReasonWhenTheProviderFailsAtSessionCreation() {
        byte[] onnx = TestModels.templateOnnx("lenet", IMAGES, 100);
        assertThatThrownBy(() -> new OnnxCnnScorer("lenet", 1, onnx, ScorerOptions.cpu().withProvider(ExecutionProvider.CUDA)
                .withThreads(1), new NoGpu()))
                .isInstanceOf(ExecutionProvider.CudaUnavailableException.class)
                .hasMessageContaining("execution provider 'cuda' was asked for")
                .hasMessageContaining("failed when the session was created: " + CUDA_FAILURE)
                .hasMessageContaining("Use 'auto' to fall back to the CPU");
    }

    /** XGBoost: only 'cuda' puts it on the GPU; 'auto' keeps it on the CPU even where CUDA is there (measured slower). */
    @Test
    void autoKeepsXgboostOnTheCpuAndOnlyCudaAsksForTheGpu() {
        assertThat(ExecutionProvider.AUTO.chooseForXgboost(true, "unused")).isEqualTo(ExecutionProvider.Chosen.CPU);
        assertThat(ExecutionProvider.AUTO.chooseForXgboost(false, "no GPU")).isEqualTo(ExecutionProvider.Chosen.CPU);
        assertThat(ExecutionProvider.CPU.chooseForXgboost(true, "unused")).isEqualTo(ExecutionProvider.Chosen.CPU);
        assertThat(ExecutionProvider.CUDA.chooseForXgboost(true, "unused")).isEqualTo(ExecutionProvider.Chosen.CUDA);
        assertThatThrownBy(() -> ExecutionProvider.CUDA.chooseForXgboost(false, "no NVIDIA GPU is visible"))
                .isInstanceOf(ExecutionProvider.CudaUnavailableException.class)
                .hasMessageContaining("no NVIDIA GPU is visible");
    }

    /**
     * The gpu overlay's setting, cuda for ONNX Runtime and cpu for XGBoost: on this CPU-only machine 'cuda' alone
     * refuses to open an XGBoost model (no CUDA build, no GPU), while the per-engine override opens it on the CPU.
     */
    @Test
    void xgboostCanRunOnTheCpuWhileOnnxRuntimeIsAskedForCuda() {
        byte[] ubj = TestModels.xgboostUbj(IMAGES, 3, 2);
        ScorerOptions cuda = ScorerOptions.cpu().withProvider(ExecutionProvider.CUDA).withThreads(1);
        assertThatThrownBy(() -> new XgboostScorer("xgboost", 1, ubj, cuda))
                .isInstanceOf(ExecutionProvider.CudaUnavailableException.class);

        ScorerOptions split = cuda.withXgboostProvider(ExecutionProvider.CPU);
        assertThat(split.provider()).isEqualTo(ExecutionProvider.CUDA);
        assertThat(split.withThreads(2).effectiveXgboostProvider()).isEqualTo(ExecutionProvider.CPU);
        try (XgboostScorer scorer = new XgboostScorer("xgboost", 1, ubj, split)) {
            assertThat(scorer.provider()).isEqualTo(ExecutionProvider.Chosen.CPU);
            assertThat(scorer.score(TestModels.input(IMAGES, 0, 4), 4)).hasSize(40);
        }
        assertThat(ScorerOptions.cpu().effectiveXgboostProvider()).isEqualTo(ExecutionProvider.CPU);
    }
}
