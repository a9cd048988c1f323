package dev.fmnist.trainer.report;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The figures of the paper "Fashion MNIST Image Classification", written as PNG files.
 *
 * <p>Libraries: JFreeChart 1.5 for the bar, line and scatter charts ({@link #classDistribution},
 * {@link #accuracyPerEpoch}, {@link #embedding2d}); plain Java2D for the pixel-exact figures
 * ({@link #sampleGrid}, {@link #confusionMatrix}, {@link #importanceHeatmap}); UMAP (tag.bio's
 * umap-java) and Barnes-Hut t-SNE (javagl's bh-tsne) for the embeddings, both under permissive
 * licences (see {@link Embedding2d}). Everything renders off-screen: the class sets
 * {@code java.awt.headless=true} unless the property is already set (Quarkus' {@code quarkus-awt}
 * extension makes AWT usable in native executables).
 *
 * <p>Each method creates the parent folder of {@code out} and returns where its content lies in
 * the image, for callers that want to annotate or check it.
 */
public final class ReportPlots {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ReportPlots() {
    }

    /** Bar chart of the number of images per class, train and test side by side (1000x560). */
    public static ChartLayout classDistribution(LabelledImages train, LabelledImages test, Path out) {
        return ChartPlots.classDistribution(train, test, out);
    }

    /**
     * One row per class (class name on the left) with the first {@code perClass} images of that
     * class, upscaled 3x by nearest neighbour, light garment on black as in the dataset.
     */
    public static SampleGrid sampleGrid(LabelledImages images, int perClass, Path out) {
        return ImagePlots.sampleGrid(images, perClass, out);
    }

    /**
     * 10x10 heatmap of the confusion matrix (rows: true class, columns: predicted class); counts
     * in the cells, colour = share of the row (the true class), title with the accuracy.
     */
    public static HeatmapLayout confusionMatrix(String modelName, Evaluation eval, Path out) {
        return ImagePlots.confusionMatrix(modelName, eval, out);
    }

    /**
     * Train and validation accuracy (top) and loss (bottom) per epoch (900x720); non-finite values
     * are left out, and the loss chart too when no loss is finite.
     */
    public static ChartLayout accuracyPerEpoch(String modelName, List<EpochMetrics> epochs, Path out) {
        return ChartPlots.accuracyPerEpoch(modelName, epochs, out);
    }

    /** A 28x28 map (e.g. XGBoost feature importance per pixel), 16x upscaled, viridis with a colour bar. */
    public static HeatmapLayout importanceHeatmap(String title, float[] importance784, Path out) {
        return ImagePlots.importanceHeatmap(title, importance784, out);
    }

    /**
     * UMAP of {@code n} images (seeded sample; {@link Embedding2d#DEFAULT_IMAGES} in the paper's
     * Fig. 3) as a scatter plot coloured by class with a legend. Returns the embedding.
     */
    public static Embedding2d umap(LabelledImages images, int n, long seed, Path out) {
        Embedding2d e = Embedding2d.umap(images, n, seed);
        embedding2d(e, out);
        return e;
    }

    /**
     * t-SNE of {@code n} images (seeded sample; {@link Embedding2d#DEFAULT_IMAGES} in the report)
     * as a scatter plot coloured by class with a legend. Returns the embedding.
     */
    public static Embedding2d tsne(LabelledImages images, int n, long seed, Path out) {
        Embedding2d e = Embedding2d.tsne(images, n, seed);
        embedding2d(e, out);
        return e;
    }

    /** Plots an embedding computed before (e.g. with other iterations or threads), titled by its method. */
    public static ChartLayout embedding2d(Embedding2d embedding, Path out) {
        String title = switch (embedding.method()) {
            case UMAP -> String.format(Locale.ROOT, "UMAP of %,d test images (%d neighbours, min. distance %.1f)",
                    embedding.size(), Math.min(Embedding2d.NEIGHBOURS, embedding.size() - 1), Embedding2d.MIN_DIST);
            case TSNE -> String.format(Locale.ROOT, "t-SNE of %,d test images (perplexity %.0f)", embedding.size(),
                    Embedding2d.perplexity(embedding.size()));
        };
        return ChartPlots.embedding(embedding, title, out);
    }
}
