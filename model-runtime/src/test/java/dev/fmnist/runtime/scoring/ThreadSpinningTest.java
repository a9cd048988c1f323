package dev.fmnist.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fmnist.common.data.LabelledImages;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ScorerOptions#spinning()} reaches ONNX Runtime as its documented session setting {@code
 * session.intra_op.allow_spinning} (onnxruntime.ai, "Thread management"), and a session that does not spin scores
 * exactly as one that does.
 */
class ThreadSpinningTest {
    static final LabelledImages IMAGES = TestModels.trainingSample(1000);
    static final String KEY = "session.intra_op.allow_spinning";

    /** Real sessions; keeps the configuration entries each one was created with. */
    static final class Recording implements OnnxCnnScorer.Sessions {
        final Map<String, String> entries = new HashMap<>();

        @Override
        public ExecutionProvider.Chosen configure(ExecutionProvider requested, OrtSession.SessionOptions options) {
            return OnnxCnnScorer.ORT.configure(requested, options);
        }

        @Override
        public OrtSession create(OrtEnvironment env, byte[] onnx, OrtSession.SessionOptions options) throws OrtException {
            entries.putAll(options.getConfigEntries());
            return OnnxCnnScorer.ORT.create(env, onnx, options);
        }
    }

    @Test
    void aScorerThatMustNotSpinSaysSoToOnnxRuntimeAndScoresTheSame() {
        byte[] onnx = TestModels.templateOnnx("lenet", IMAGES, 100);
        Recording sleeping = new Recording();
        Recording spinning = new Recording();
        ScorerOptions options = ScorerOptions.cpu().withThreads(2);
        try (OnnxCnnScorer quiet = new OnnxCnnScorer("lenet", 1, onnx, options.withSpinning(false), sleeping);
             OnnxCnnScorer busy = new OnnxCnnScorer("lenet", 1, onnx, options, spinning)) {
            assertThat(sleeping.entries).containsEntry(KEY, "0");
            // the default is ONNX Runtime's own: nothing set
            assertThat(options.spinning()).isTrue();
            assertThat(spinning.entries).doesNotContainKey(KEY);
            float[] input = TestModels.input(IMAGES, 0, 300);
            assertThat(quiet.score(input, 300)).containsExactly(busy.score(input, 300));
        }
    }

    @Test
    void everyCopyKeepsTheSetting() {
        ScorerOptions quiet = ScorerOptions.cpu().withSpinning(false);
        assertThat(quiet.withThreads(3).spinning()).isFalse();
        assertThat(quiet.withProvider(ExecutionProvider.AUTO).spinning()).isFalse();
        assertThat(quiet.withXgboostProvider(ExecutionProvider.CPU).spinning()).isFalse();
        assertThat(new ScorerOptions(ExecutionProvider.CPU, 1, 8).spinning()).isTrue();
    }
}
