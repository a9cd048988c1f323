package dev.fmnist.runtime.scoring;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;

/**
 * One loaded model version that turns images into class probabilities. Every model of the platform
 * takes the same input: {@code n} images of 784 float32 values {@code pixel / 255}, row-major
 * ({@code [n,1,28,28]} flat), and gives {@code [n][10]} probabilities, flat and row-major.
 *
 * <p>Implementations are thread-safe; {@link #close()} frees the native model and must only be
 * called once no call is in flight (the services count references for that).
 */
public interface ModelScorer extends AutoCloseable {
    /** Floats of one image in the input of {@link #score}. */
    int INPUT_SIZE = Pixels.COUNT;
    /** Floats of one image in the output of {@link #score}. */
    int OUTPUT_SIZE = FashionClass.COUNT;

    /** Model name, e.g. {@code lenet}. */
    String name();

    /** Registry version. */
    int version();

    /** Artifact format ({@code onnx} or {@code xgboost-ubj}). */
    String format();

    /** The hardware it runs on, e.g. {@code CPU} or {@code CUDA}. */
    ExecutionProvider.Chosen provider();

    /**
     * Class probabilities of {@code n} images: {@code input} holds at least {@code n * 784} values
     * {@code pixel / 255}; the result holds exactly {@code n * 10}, each row summing to 1.
     */
    float[] score(float[] input, int n);

    /** Runs the model once on blank images of a few batch sizes, so the first request pays no set-up cost. */
    default void warmUp(int maxBatch) {
        int[] sizes = maxBatch > 1 ? new int[] {1, maxBatch} : new int[] {1};
        for (int n : sizes) {
            score(new float[n * INPUT_SIZE], n);
        }
    }

    /** Frees the native model. */
    @Override
    void close();

    /** Checks the arguments of {@link #score}. */
    static void requireInput(float[] input, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("at least one image is needed, got n=" + n);
        }
        if (input == null || input.length < (long) n * INPUT_SIZE) {
            throw new IllegalArgumentException(n + " images need " + (long) n * INPUT_SIZE + " input values, got "
                    + (input == null ? "none" : input.length));
        }
    }
}
