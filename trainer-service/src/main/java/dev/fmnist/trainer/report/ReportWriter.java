package dev.fmnist.trainer.report;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes all report plots of one model version into {@code <out>/<name>/<version>/}:
 * {@code class-distribution.png}, {@code samples.png}, {@code confusion-<split>.png} (one per
 * evaluation), {@code accuracy-per-epoch.png}, {@code importance.png}, {@code umap.png} (UMAP of
 * the test set, the paper's Fig. 3) and {@code embedding.png} (t-SNE of the same test images).
 * A plot whose input is missing (no epochs, no importance, no data) is skipped.
 */
public final class ReportWriter {

    public static final String CLASS_DISTRIBUTION = "class-distribution.png";
    public static final String SAMPLES = "samples.png";
    public static final String ACCURACY_PER_EPOCH = "accuracy-per-epoch.png";
    public static final String IMPORTANCE = "importance.png";
    public static final String UMAP = "umap.png";
    /** The t-SNE plot (the file name it has had since before the UMAP plot). */
    public static final String EMBEDDING = "embedding.png";

    /**
     * What one report shows; {@code null} (or empty) inputs skip their plots.
     *
     * @param train            training images (class distribution)
     * @param test             test images (class distribution, samples, embedding)
     * @param evaluations      one confusion matrix per evaluation, named by its split
     * @param epochs           loss and accuracy per epoch
     * @param importance       784 values per pixel, e.g. XGBoost feature importance
     * @param importanceTitle  title of the importance map
     * @param samplesPerClass  images per class in the sample grid (0 skips it)
     * @param embeddingImages  test images in the UMAP and t-SNE plots, the same sample (0 skips both)
     * @param embeddingThreads threads of the t-SNE run (UMAP runs on one, to be reproducible)
     * @param seed             seed of the embedding's sample and initialisation
     */
    public record ReportData(LabelledImages train, LabelledImages test, List<Evaluation> evaluations,
                             List<EpochMetrics> epochs, float[] importance, String importanceTitle,
                             int samplesPerClass, int embeddingImages, int embeddingThreads, long seed) {

        /** The paper's defaults: 10 samples per class, UMAP and t-SNE of 2,000 test images on all CPUs, seed 42. */
        public static ReportData of(LabelledImages train, LabelledImages test, List<Evaluation> evaluations,
                                    List<EpochMetrics> epochs, float[] importance) {
            return new ReportData(train, test, evaluations, epochs, importance, "Feature importance per pixel",
                    10, Embedding2d.DEFAULT_IMAGES, Runtime.getRuntime().availableProcessors(), 42);
        }
    }

    private ReportWriter() {
    }

    /** The folder {@code <out>/<name>/<version>/}. */
    public static Path folder(Path out, String name, String version) {
        return out.resolve(name).resolve(version);
    }

    /** The file name of the confusion matrix of one split, e.g. {@code confusion-test.png}. */
    public static String confusionFileName(String split) {
        String s = split.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return "confusion-" + (s.isEmpty() ? "split" : s) + ".png";
    }

    /** Writes every plot whose input is present; returns the files written, in writing order. */
    public static List<Path> writeAll(Path out, String name, String version, ReportData data) {
        Path dir = folder(out, name, version);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        String title = name + " " + version;
        List<Path> written = new ArrayList<>();
        if (data.train() != null && data.test() != null) {
            ReportPlots.classDistribution(data.train(), data.test(), add(written, dir.resolve(CLASS_DISTRIBUTION)));
        }
        if (data.test() != null && data.test().size() > 0 && data.samplesPerClass() > 0) {
            ReportPlots.sampleGrid(data.test(), data.samplesPerClass(), add(written, dir.resolve(SAMPLES)));
        }
        if (data.evaluations() != null) {
            for (Evaluation e : data.evaluations()) {
                ReportPlots.confusionMatrix(title, e, add(written, dir.resolve(confusionFileName(e.split()))));
            }
        }
        if (data.epochs() != null && !data.epochs().isEmpty()) {
            ReportPlots.accuracyPerEpoch(title, data.epochs(), add(written, dir.resolve(ACCURACY_PER_EPOCH)));
        }
        if (data.importance() != null) {
            String t = data.importanceTitle() == null ? title : title + ": " + data.importanceTitle();
            ReportPlots.importanceHeatmap(t, data.importance(), add(written, dir.resolve(IMPORTANCE)));
        }
        if (data.test() != null && data.embeddingImages() > 0 && data.test().size() >= 4) {
            Embedding2d umap = Embedding2d.umap(data.test(), data.embeddingImages(), data.seed());
            ReportPlots.embedding2d(umap, add(written, dir.resolve(UMAP)));
            Embedding2d tsne = Embedding2d.tsne(data.test(), data.embeddingImages(), data.seed(),
                    Embedding2d.DEFAULT_ITERATIONS, Math.max(1, data.embeddingThreads()));
            ReportPlots.embedding2d(tsne, add(written, dir.resolve(EMBEDDING)));
        }
        return List.copyOf(written);
    }

    private static Path add(List<Path> written, Path p) {
        written.add(p);
        return p;
    }
}
