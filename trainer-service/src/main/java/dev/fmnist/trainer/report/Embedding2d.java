package dev.fmnist.trainer.report;

import de.javagl.tsne.Tsne;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import tagbio.umap.Umap;

/**
 * A 2-D embedding (UMAP or t-SNE) of a seeded random sample of images, for the report's
 * embedding plots. Input is the model input {@code pixel / 255} over all 784 pixels, with no PCA
 * step first; both methods use Euclidean distances.
 *
 * <p>Libraries, both under permissive licences and pure Java (no natives):
 * <ul>
 * <li>UMAP: tag.bio's umap-java ({@code tagbio.umap.Umap}, BSD-3-Clause in its sources), as
 * published on Maven Central as {@code tech.molecules:external-umap-java:1.0} (POM: MIT). Random
 * initialisation (the library has no spectral one), 15 neighbours, minimum distance 0.1, 500
 * epochs. One thread: the library is deterministic for a seed only single-threaded, and 2,000
 * images take about 5 s that way.</li>
 * <li>t-SNE: Barnes-Hut t-SNE ({@code de.javagl:bh-tsne:0.0.1}, a cleaned-up fork of
 * lejon/T-SNE-Java; BSD licence of van der Maaten's bhtsne, whose advertising clause asks for the
 * acknowledgement "This product includes software developed by the Delft University of
 * Technology." in advertising material that mentions the feature). Perplexity 30, theta 0.5,
 * 1,000 iterations (exaggeration 12 for the first 250), learning rate 200 (fixed in the library).
 * The library's optional PCA step is switched off ({@code setInitialDims(0)}): it is the only
 * code that needs the library's EJML 0.30 dependency, which the build leaves out.</li>
 * </ul>
 *
 * <p>Deterministic for a seed: the sample comes from {@link Random}, UMAP runs on one thread with
 * its generator seeded, and the t-SNE's generator is seeded; its parallel loops write one slot per
 * point and sum sequentially, and run on a private fork-join pool of {@code threads} threads (the
 * library uses parallel streams), so the thread count changes neither the result nor the common pool.
 *
 * @param method      how the points were embedded
 * @param coordinates {@code [n][2]} embedded points
 * @param labels      class label of each point
 * @param indices     index of each point's image in the source images
 * @param seconds     wall time of the embedding run
 */
public record Embedding2d(Method method, double[][] coordinates, int[] labels, int[] indices, double seconds) {

    /** The embedding algorithm, with the names the plots show. */
    public enum Method {
        UMAP("UMAP"),
        TSNE("t-SNE");

        private final String displayName;

        Method(String displayName) {
            this.displayName = displayName;
        }

        public String displayName() {
            return displayName;
        }
    }

    public static final int DEFAULT_IMAGES = 2_000;
    public static final int DEFAULT_ITERATIONS = 1_000;
    public static final double PERPLEXITY = 30;
    public static final double THETA = 0.5;
    public static final int NEIGHBOURS = 15;
    public static final float MIN_DIST = 0.1f;
    public static final int UMAP_EPOCHS = 500;

    /** UMAP of {@code n} images (all of them when there are fewer) sampled with {@code seed}. */
    public static Embedding2d umap(LabelledImages images, int n, long seed) {
        Sample s = sample(images, n, seed);
        float[][] x = new float[s.indices.length][];
        for (int i = 0; i < x.length; i++) {
            x[i] = new float[Pixels.COUNT];
            for (int j = 0; j < Pixels.COUNT; j++) {
                x[i][j] = (float) s.x[i][j];
            }
        }
        long start = System.nanoTime();
        Umap umap = new Umap()
                .setNumberComponents(2)
                .setNumberNearestNeighbours(Math.min(NEIGHBOURS, x.length - 1))
                .setMinDist(MIN_DIST)
                .setNumberEpochs(UMAP_EPOCHS)
                .setMetric("euclidean")
                .setThreads(1)
                .setVerbose(false)
                .setSeed(seed);
        float[][] y = umap.fitTransform(x);
        double[][] coordinates = new double[y.length][];
        for (int i = 0; i < y.length; i++) {
            coordinates[i] = new double[] {y[i][0], y[i][1]};
        }
        return new Embedding2d(Method.UMAP, coordinates, s.labels, s.indices, (System.nanoTime() - start) / 1e9);
    }

    /** t-SNE of {@code n} images sampled with {@code seed}, default iterations, all available CPUs. */
    public static Embedding2d tsne(LabelledImages images, int n, long seed) {
        return tsne(images, n, seed, DEFAULT_ITERATIONS, Runtime.getRuntime().availableProcessors());
    }

    /** t-SNE of {@code n} images (all of them when there are fewer) sampled with {@code seed}. */
    public static Embedding2d tsne(LabelledImages images, int n, long seed, int iterations, int threads) {
        if (iterations < 1 || threads < 1) {
            throw new IllegalArgumentException("iterations and threads must be positive");
        }
        Sample s = sample(images, n, seed);
        Tsne tsne = new Tsne();
        tsne.setOutputDims(2);
        tsne.setInitialDims(0); // no PCA (see the class comment)
        // t-SNE's perplexity must be well below the number of points (the library checks n - 1 >= 3 perplexity)
        tsne.setPerplexity(perplexity(s.indices.length));
        tsne.setTheta(THETA);
        tsne.setMaxIterations(iterations);
        tsne.setRandomSeed(seed);
        tsne.setMessageConsumer(null); // silent, and no cost evaluation every 50 iterations
        tsne.setProgressConsumer(null);
        long start = System.nanoTime();
        ForkJoinPool pool = new ForkJoinPool(threads);
        double[][] y;
        try {
            y = pool.submit(() -> tsne.run(s.x)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("t-SNE interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("t-SNE failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        if (y == null) { // the library returns null when its thread is interrupted
            throw new IllegalStateException("t-SNE interrupted");
        }
        return new Embedding2d(Method.TSNE, y, s.labels, s.indices, (System.nanoTime() - start) / 1e9);
    }

    /** The perplexity of a t-SNE of {@code n} points: {@link #PERPLEXITY}, less for tiny samples. */
    public static double perplexity(int n) {
        return Math.min(PERPLEXITY, (n - 1) / 3.0);
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

    /** The sampled images as {@code pixel / 255}, their labels and their indices. */
    private record Sample(double[][] x, int[] labels, int[] indices) {
    }

    private static Sample sample(LabelledImages images, int n, long seed) {
        if (n < 4 || images.size() < 4) {
            throw new IllegalArgumentException("an embedding needs at least 4 images, got n=" + n
                    + " of " + images.size());
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
        return new Sample(x, labels, indices);
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
