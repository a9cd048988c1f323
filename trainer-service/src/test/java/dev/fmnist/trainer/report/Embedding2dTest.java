package dev.fmnist.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.report.Embedding2d.Method;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The UMAP and t-SNE embeddings of real Fashion-MNIST test images are sensible: they keep the
 * images' neighbourhoods (trustworthiness, Venna and Kaski 2001, as in scikit-learn) and a k-NN
 * classifier in the 2-D map finds the class far above chance (10 %). A random map is the control:
 * the same measures give about 0.5 and 0.1 there. 1,000 images, a few seconds per method.
 */
class Embedding2dTest {

    static final int N = 1_000;
    static final int K = 10;
    static LabelledImages test;

    @BeforeAll
    static void load() {
        test = FashionMnist.load().test();
    }

    @Test
    void umapKeepsNeighbourhoodsAndClasses() {
        checkSensible(Embedding2d.umap(test, N, 42), Method.UMAP);
    }

    @Test
    void tsneKeepsNeighbourhoodsAndClasses() {
        checkSensible(Embedding2d.tsne(test, N, 42, Embedding2d.DEFAULT_ITERATIONS, 2), Method.TSNE);
    }

    @Test
    void aRandomMapIsNotSensible() {
        Embedding2d e = Embedding2d.umap(test, 200, 42);
        Random random = new Random(1);
        double[][] noise = new double[e.size()][];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = new double[] {random.nextGaussian(), random.nextGaussian()};
        }
        Embedding2d control = new Embedding2d(Method.UMAP, noise, e.labels(), e.indices(), 0);
        assertThat(trustworthiness(pixels(control), control.coordinates(), K)).isBetween(0.4, 0.6);
        assertThat(knnAccuracy(control, K)).isLessThan(0.25);
    }

    @Test
    void bothAreReproducibleForASeed() {
        LabelledImages images = test.head(2_000);
        Embedding2d a = Embedding2d.tsne(images, 300, 7, 300, 2);
        Embedding2d b = Embedding2d.tsne(images, 300, 7, 300, 1);
        Embedding2d c = Embedding2d.tsne(images, 300, 8, 300, 2);
        assertThat(a.indices()).isEqualTo(b.indices());
        assertThat(a.coordinates()).isDeepEqualTo(b.coordinates());
        assertThat(Arrays.equals(a.indices(), c.indices())).isFalse();

        Embedding2d u = Embedding2d.umap(images, 300, 7);
        Embedding2d v = Embedding2d.umap(images, 300, 7);
        assertThat(u.indices()).isEqualTo(a.indices());
        assertThat(u.coordinates()).isDeepEqualTo(v.coordinates());
        assertThat(Embedding2d.umap(images, 300, 8).indices()).isEqualTo(c.indices());
    }

    @Test
    void smallSamplesWork() {
        // the perplexity and the neighbour count shrink with the sample: 13 points, perplexity 4
        LabelledImages images = test.head(13);
        assertThat(Embedding2d.tsne(images, 50, 1, 300, 1).size()).isEqualTo(13);
        assertThat(Embedding2d.perplexity(13)).isEqualTo(4.0);
        assertThat(Embedding2d.umap(images, 50, 1).coordinates()).hasDimensions(13, 2);
        assertThatThrownBy(() -> Embedding2d.umap(images, 3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Embedding2d.tsne(images, 10, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void checkSensible(Embedding2d e, Method method) {
        assertThat(e.method()).isEqualTo(method);
        assertThat(e.size()).isEqualTo(N);
        assertThat(e.indices()).doesNotHaveDuplicates();
        for (int i = 0; i < e.size(); i++) {
            assertThat(e.labels()[i]).isEqualTo(test.label(e.indices()[i]));
            assertThat(e.coordinates()[i]).hasSize(2);
            assertThat(Arrays.stream(e.coordinates()[i]).allMatch(Double::isFinite)).isTrue();
        }
        double trust = trustworthiness(pixels(e), e.coordinates(), K);
        double knn = knnAccuracy(e, K);
        System.out.printf("%s of %d images: %.1f s, trustworthiness(%d) %.3f, %d-NN accuracy %.3f%n",
                method.displayName(), e.size(), e.seconds(), K, trust, K, knn);
        // both measured about 0.98 here (seed 42); a random map gives 0.5
        assertThat(trust).as("trustworthiness").isGreaterThan(0.9);
        // both measured about 0.70 here; chance is 0.1, a random map stays below 0.25
        assertThat(knn).as("10-NN accuracy in the map").isGreaterThan(0.6);
        // trousers and bags, far apart in pixel space, are far apart in the map
        double[] trouser = e.centroid(FashionClass.TROUSER.label());
        double[] bag = e.centroid(FashionClass.BAG.label());
        assertThat(Math.hypot(trouser[0] - bag[0], trouser[1] - bag[1]))
                .isGreaterThan(spread(e, FashionClass.TROUSER.label()) + spread(e, FashionClass.BAG.label()));
    }

    /** The embedded images as {@code pixel / 255}. */
    static double[][] pixels(Embedding2d e) {
        double[][] x = new double[e.size()][Pixels.COUNT];
        for (int i = 0; i < e.size(); i++) {
            byte[] img = test.image(e.indices()[i]);
            for (int j = 0; j < Pixels.COUNT; j++) {
                x[i][j] = (img[j] & 0xFF) / 255.0;
            }
        }
        return x;
    }

    /**
     * Trustworthiness: 1 - 2 / (n k (2n - 3k - 1)) * sum over points i and their k nearest
     * neighbours j in the map that are not among the k nearest in the input of (rank of j among
     * i's input neighbours - k). 1 when the map invents no neighbours.
     */
    static double trustworthiness(double[][] x, double[][] y, int k) {
        int n = x.length;
        double penalty = 0;
        for (int i = 0; i < n; i++) {
            int[] inputOrder = order(distances(x, i));
            int[] rank = new int[n];
            for (int r = 0; r < n; r++) {
                rank[inputOrder[r]] = r; // rank 0: the point itself
            }
            int[] mapOrder = order(distances(y, i));
            for (int r = 1; r <= k; r++) {
                int j = mapOrder[r];
                if (rank[j] > k) {
                    penalty += rank[j] - k;
                }
            }
        }
        return 1 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1)) * penalty;
    }

    /** Leave-one-out accuracy of a k-NN majority vote in the map (ties: the class that got there first, nearer). */
    static double knnAccuracy(Embedding2d e, int k) {
        int right = 0;
        for (int i = 0; i < e.size(); i++) {
            int[] order = order(distances(e.coordinates(), i));
            int[] votes = new int[FashionClass.COUNT];
            int best = -1;
            for (int r = 1; r <= k; r++) {
                int label = e.labels()[order[r]];
                votes[label]++;
                if (best < 0 || votes[label] > votes[best]) {
                    best = label;
                }
            }
            right += best == e.labels()[i] ? 1 : 0;
        }
        return (double) right / e.size();
    }

    private static double[] distances(double[][] points, int i) {
        double[] d = new double[points.length];
        for (int j = 0; j < points.length; j++) {
            double s = 0;
            for (int c = 0; c < points[i].length; c++) {
                double t = points[i][c] - points[j][c];
                s += t * t;
            }
            d[j] = j == i ? -1 : s; // the point itself first
        }
        return d;
    }

    private static int[] order(double[] d) {
        return java.util.stream.IntStream.range(0, d.length).boxed()
                .sorted((a, b) -> Double.compare(d[a], d[b])).mapToInt(Integer::intValue).toArray();
    }

    private static double spread(Embedding2d e, int label) {
        double[] c = e.centroid(label);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < e.size(); i++) {
            if (e.labels()[i] == label) {
                sum += Math.pow(e.coordinates()[i][0] - c[0], 2) + Math.pow(e.coordinates()[i][1] - c[1], 2);
                n++;
            }
        }
        return Math.sqrt(sum / n);
    }
}
