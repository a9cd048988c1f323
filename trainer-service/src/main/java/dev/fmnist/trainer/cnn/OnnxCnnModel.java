package dev.fmnist.trainer.cnn;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * An exported CNN loaded in ONNX Runtime (CPU): the trainer evaluates exactly the artifact it
 * registers, not the training engine's copy of it.
 */
public final class OnnxCnnModel implements AutoCloseable {
    private static final int BATCH = 1000;
    private final OrtSession session;

    public OnnxCnnModel(byte[] onnx, int threads) {
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = OrtEnvironment.getEnvironment().createSession(onnx, options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime refused the model: " + e.getMessage(), e);
        }
    }

    public Map<String, String> metadata() {
        try {
            return session.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Probabilities {@code [n][10]} flat for model input {@code [n,1,28,28]} flat. */
    public float[] probabilities(float[] input, int n) {
        float[] out = new float[n * FashionClass.COUNT];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int from = 0; from < n; from += BATCH) {
            int b = Math.min(BATCH, n - from);
            try (OnnxTensor x = OnnxTensor.createTensor(env,
                    FloatBuffer.wrap(input, from * Pixels.COUNT, b * Pixels.COUNT), new long[] {b, 1, Pixels.SIDE, Pixels.SIDE});
                 OrtSession.Result result = session.run(Map.of(OnnxCnnExporter.INPUT, x))) {
                OnnxTensor probs = (OnnxTensor) result.get(OnnxCnnExporter.PROBABILITIES).orElseThrow();
                probs.getFloatBuffer().get(out, from * FashionClass.COUNT, b * FashionClass.COUNT);
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
