package dev.fmnist.trainer.report;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import smile.manifold.TSNE;
import smile.math.MathEx;

/**
 * A 2-D t-SNE embedding of a seeded random sample of images, for the report's embedding plot.
 *
 * <p>Library: Smile 3.1.1 ({@code com.github.haifengl:smile-core}, GPL-3.0), {@link TSNE}: exact
 * t-SNE in pure Java (no native BLAS needed; the build leaves Smile's {@code org.bytedeco} natives
 * out). Smile 4 and later need Java 21, so 3.1.1 is the newest that runs on this project's Java 17.
 * Input is the model input {@code pixel / 255} over all 784 pixels, with no PCA first: the exact
 * algorithm's cost is in its O(n^2) iterations, not in the 784-dimensional distances, so a PCA
 * step would save little (2,000 images, 1,000 iterations: about 17 s on 2 cores).
 *
 * <p>Deterministic: Smile's random generator is seeded (it is per thread) in the thread that
 * builds the embedding; the iterations run on a private fork-join pool of {@code threads} threads
 * (Smile uses parallel streams), so the common pool is not used and the thread count is bounded.
 *
 * @param coordinates {@code [n][2]} embedded points
 * @param labels      class label of each point
 * @param indices     index of each point's image in the source images
 * @param seconds     wall time of the t-SNE run
 */
public record Embedding2d(double[][] coordinates, int[] labels, int[] indices, double seconds) {

    public static final int DEFAULT_IMAGES = 2_000;
    public static final int DEFAULT_ITERATIONS = 1_000;
    public static final double PERPLEXITY = 30;
    public static final double LEARNING_RATE = 200;

    /** t-SNE of {@code n} images sampled with {@code seed}, default iterations, all available CPUs. */
    public static Embedding2d tsne(LabelledImages images, int n, long seed) {
        return tsne(images, n, seed, DEFAULT_ITERATIONS, Runtime.getRuntime().availableProcessors());
    }

    /** t-SNE of {@code n} images (all of them when there are fewer) sampled with {@code seed}. */
    public static Embedding2d tsne(LabelledImages images, int n, long seed, int iterations, int threads) {
        if (n < 4) {
            throw new IllegalArgumentException("an embedding needs at least 4 images, got n=" + n);
        }
        if (iterations < 1 || threads < 1) {
            throw new IllegalArgumentException("iterations and threads must be positive");
        }
        int[] indices = sample(images.size(), Math.min(n, images.size()), seed);
        double[][] x = new double[indices.length][Pixels.COUNT];
        int[] labels = new int[indices.length];
        byte[] px = images.pixels();
        for (int i = 0; i < indices.length; i++) {
            int off = indices[i] * Pixels.COUNT;
            for (int j = 0; j < Pixels.COUNT; j++) {
                x[i][j] = (px[off + j] & 0xFF) / 255.0;
            }
            labels[i] = images.label(indices[i]);
        }
        // t-SNE's perplexity must be well below the number of points
        double perplexity = Math.min(PERPLEXITY, (indices.length - 1) / 3.0);
        long start = System.nanoTime();
        ForkJoinPool pool = new ForkJoinPool(threads);
        double[][] y;
        try {
            y = pool.submit(() -> {
                MathEx.setSeed(seed);
                return new TSNE(x, 2, perplexity, LEARNING_RATE, iterations).coordinates;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("t-SNE interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("t-SNE failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        return new Embedding2d(y, labels, indices, (System.nanoTime() - start) / 1e9);
    }

    public int size() {
        return labels.length;
    }

    /** Mean position of the points of one class, or NaNs when the class has none. */
    public double[] centroid(int label) {
        double[] c = new double[2];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == label) {
                c[0] += coordinates[i][0];
                c[1] += coordinates[i][1];
                k++;
            }
        }
        return k == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {c[0] / k, c[1] / k};
    }

    /** Share of points whose nearest other point has the same class (1-NN leave-one-out). */
    public double nearestNeighbourAgreement() {
        int agree = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < labels.length; j++) {
                if (j != i) {
                    double dx = coordinates[i][0] - coordinates[j][0];
                    double dy = coordinates[i][1] - coordinates[j][1];
                    double d = dx * dx + dy * dy;
                    if (d < bestD) {
                        bestD = d;
                        best = j;
                    }
                }
            }
            agree += labels[best] == labels[i] ? 1 : 0;
        }
        return (double) agree / labels.length;
    }

    /** Points per class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[FashionClass.COUNT];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** {@code n} distinct indices of {@code 0..size-1}, a seeded uniform sample, in ascending order. */
    static int[] sample(int size, int n, long seed) {
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
            all[i] = i;
        }
        Random random = new Random(seed);
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(size - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] picked = Arrays.copyOf(all, n);
        Arrays.sort(picked);
        return picked;
    }
}
