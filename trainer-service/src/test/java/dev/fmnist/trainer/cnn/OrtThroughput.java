package dev.fmnist.trainer.cnn;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/** Rough ONNX Runtime throughput for manual measurements (the real benchmarks use JMH). */
final class OrtThroughput {
    private OrtThroughput() {
    }

    static double imagesPerSecond(byte[] onnx, int batch, int threads, double seconds) {
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession session = env.createSession(onnx, options)) {
                float[] x = new float[batch * 784];
                Random r = new Random(1);
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextFloat();
                }
                long images = 0;
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long warm = System.nanoTime() + 1_000_000_000L;
                long start = 0;
                while (System.nanoTime() < end) {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 1, 28, 28});
                         OrtSession.Result res = session.run(Map.of("image", t))) {
                        if (System.nanoTime() > warm) {
                            if (start == 0) {
                                start = System.nanoTime();
                            } else {
                                images += batch;
                            }
                        }
                    }
                }
                return images / ((System.nanoTime() - start) / 1e9);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
