package dev.fmnist.tools.load;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.scoring.ModelScorer;

/** In-process model throughput: the ceiling that the end-to-end figures are compared with. */
public final class RawThroughput {
    private RawThroughput() {
    }

    /**
     * Scores batches of {@code batch} real test images for about {@code seconds} seconds after a
     * warm-up of the same length and returns images per second.
     */
    public static double imagesPerSecond(ModelScorer model, LabelledImages images, int batch, double seconds) {
        float[] input = new float[batch * Pixels.COUNT];
        for (int i = 0; i < batch; i++) {
            Pixels.toModelInput(images.image(i % images.size()), input, i * Pixels.COUNT);
        }
        run(model, input, batch, seconds);
        return run(model, input, batch, seconds);
    }

    private static double run(ModelScorer model, float[] input, int batch, double seconds) {
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long images = 0;
        float sink = 0;
        do {
            sink += model.score(input, batch)[0];
            images += batch;
        } while (System.nanoTime() < deadline);
        if (Float.isNaN(sink)) {
            throw new IllegalStateException(model + " returned NaN");
        }
        return images / ((System.nanoTime() - start) / 1e9);
    }
}
