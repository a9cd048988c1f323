package dev.fmnist.xai;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * A hand-written model whose target-class output is a known game over segments: it sees which
 * segments of an image are visible (any non-zero pixel) and returns {@code game(visible)} for the
 * target class, the rest spread evenly over the other nine. Images are all-ones, so hiding a
 * segment is the only thing that changes them. Counts its calls, to check batching.
 */
final class GameScorer implements ModelScorer {
    private final short[] segments;
    private final int count;
    private final int targetClass;
    private final ToDoubleFunction<boolean[]> game;
    private int calls;
    private int largestBatch;

    GameScorer(Segmentation segmentation, int targetClass, ToDoubleFunction<boolean[]> game) {
        this.segments = segmentation.segment(image());
        this.count = Segments.of(segments).count();
        this.targetClass = targetClass;
        this.game = game;
    }

    /** The image every game is played on: all pixels 1. */
    static float[] image() {
        float[] image = new float[Pixels.COUNT];
        Arrays.fill(image, 1f);
        return image;
    }

    int segmentCount() {
        return count;
    }

    synchronized int calls() {
        return calls;
    }

    synchronized int largestBatch() {
        return largestBatch;
    }

    @Override
    public String name() {
        return "game";
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
        synchronized (this) {
            calls++;
            largestBatch = Math.max(largestBatch, n);
        }
        float[] out = new float[n * OUTPUT_SIZE];
        for (int i = 0; i < n; i++) {
            boolean[] visible = new boolean[count];
            for (int p = 0; p < Pixels.COUNT; p++) {
                if (input[i * Pixels.COUNT + p] != 0) {
                    visible[segments[p]] = true;
                }
            }
            double v = game.applyAsDouble(visible);
            for (int c = 0; c < FashionClass.COUNT; c++) {
                out[i * OUTPUT_SIZE + c] = (float) (c == targetClass ? v : (1 - v) / (FashionClass.COUNT - 1));
            }
        }
        return out;
    }

    @Override
    public void close() {
    }
}
