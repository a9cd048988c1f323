package dev.fmnist.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each report plot is written as a readable PNG of the expected size, and shows what it should:
 * checked on the pixels. The PNGs stay in {@code target/report-plots/} for a look.
 */
class ReportPlotsTest {

    static final Path OUT = Path.of("target", "report-plots");
    static FashionMnist data;

    @BeforeAll
    static void load() {
        data = FashionMnist.load();
    }

    // ---------------------------------------------------------------- class distribution

    @Test
    void classDistributionBarsAreProportionalToTheCounts() throws IOException {
        int[] trainCounts = new int[10];
        int[] testCounts = new int[10];
        for (int c = 0; c < 10; c++) {
            trainCounts[c] = 100 + 50 * c;
            testCounts[c] = 50 + 10 * (9 - c);
        }
        Path out = OUT.resolve("class-distribution-synthetic.png");
        ChartLayout layout = ReportPlots.classDistribution(blankImages(trainCounts), blankImages(testCounts), out);

        BufferedImage img = readPng(out);
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(560);
        assertThat(layout.dataAreas()).hasSize(1);
        Rectangle area = layout.dataAreas().get(0);
        int[] trainBars = barHeights(img, area, ColorScales.SERIES_1);
        int[] testBars = barHeights(img, area, ColorScales.SERIES_2);
        // one scale (pixels per image) for all bars: the tallest bar, 550 train images of class 9
        double pixelsPerImage = (double) trainBars[9] / trainCounts[9];
        assertThat(trainBars[9]).isGreaterThan(area.height / 2);
        for (int c = 0; c < 10; c++) {
            assertThat((double) trainBars[c]).as("train bar of class " + c)
                    .isCloseTo(pixelsPerImage * trainCounts[c], within(2.5));
            assertThat((double) testBars[c]).as("test bar of class " + c)
                    .isCloseTo(pixelsPerImage * testCounts[c], within(2.5));
        }

        // and the real dataset: 6,000 and 1,000 per class, so all bars of one colour are equally high
        Path real = OUT.resolve("class-distribution.png");
        Rectangle realArea = ReportPlots.classDistribution(data.train(), data.test(), real).dataAreas().get(0);
        BufferedImage realImg = readPng(real);
        int[] realTrain = barHeights(realImg, realArea, ColorScales.SERIES_1);
        int[] realTest = barHeights(realImg, realArea, ColorScales.SERIES_2);
        for (int c = 0; c < 10; c++) {
            assertThat(realTrain[c]).isCloseTo(realTrain[0], within(1));
            assertThat((double) realTest[c]).isCloseTo(realTrain[0] / 6.0, within(2.0));
        }
    }

    /** Heights of the bars of one colour inside the data area (runs of columns), left to right. */
    static int[] barHeights(BufferedImage img, Rectangle area, Color color) {
        List<int[]> runs = new ArrayList<>(); // [firstColumn, lastColumn]
        for (int x = area.x; x < area.x + area.width; x++) {
            boolean has = columnHeight(img, area, x, color) > 0;
            if (has && (runs.isEmpty() || runs.get(runs.size() - 1)[1] != x - 1)) {
                runs.add(new int[] {x, x});
            } else if (has) {
                runs.get(runs.size() - 1)[1] = x;
            }
        }
        assertThat(runs).as("bars of colour " + color).hasSize(10);
        return runs.stream().mapToInt(r -> columnHeight(img, area, (r[0] + r[1]) / 2, color)).toArray();
    }

    static int columnHeight(BufferedImage img, Rectangle area, int x, Color color) {
        int n = 0;
        for (int y = area.y; y < area.y + area.height; y++) {
            n += img.getRGB(x, y) == (color.getRGB() | 0xFF000000) ? 1 : 0;
        }
        return n;
    }

    // ---------------------------------------------------------------- sample grid

    @Test
    void sampleGridHasOneRowPerClassWithTheSourcePixels() throws IOException {
        LabelledImages images = data.test().head(3_000);
        int perClass = 8;
        Path out = OUT.resolve("samples.png");
        SampleGrid grid = ReportPlots.sampleGrid(images, perClass, out);

        BufferedImage img = readPng(out);
        GridLayout layout = grid.layout();
        assertThat(layout.rows()).isEqualTo(10);
        assertThat(layout.cols()).isEqualTo(perClass);
        assertThat(grid.scale()).isGreaterThanOrEqualTo(2);
        assertThat(layout.cellWidth()).isEqualTo(28 * grid.scale());
        Rectangle bounds = layout.bounds();
        assertThat(img.getWidth()).isBetween(bounds.x + bounds.width, bounds.x + bounds.width + 60);
        assertThat(img.getHeight()).isBetween(bounds.y + bounds.height, bounds.y + bounds.height + 40);

        int s = grid.scale();
        for (int c = 0; c < 10; c++) {
            assertThat(grid.indices()[c][0]).as("first image of class " + c).isEqualTo(firstIndexOf(images, c));
            for (int k = 0; k < perClass; k++) {
                int index = grid.indices()[c][k];
                assertThat(images.label(index)).isEqualTo(c);
                byte[] source = images.image(index);
                for (int p = 0; p < Pixels.COUNT; p++) {
                    int v = source[p] & 0xFF;
                    int x0 = layout.x(k) + (p % 28) * s;
                    int y0 = layout.y(c) + (p / 28) * s;
                    for (int dy = 0; dy < s; dy++) {
                        for (int dx = 0; dx < s; dx++) {
                            // light garment on black, every upscaled pixel exactly the source value
                            assertThat(img.getRGB(x0 + dx, y0 + dy) & 0xFFFFFF)
                                    .as("class %d, image %d, pixel %d", c, k, p).isEqualTo(v << 16 | v << 8 | v);
                        }
                    }
                }
            }
            // the class name is written left of its row
            Rectangle nameArea = new Rectangle(0, layout.y(c), layout.left(), layout.cellHeight());
            assertThat(countPixels(img, nameArea, rgb -> luminance(rgb) < 0.5)).as("name of class " + c)
                    .isGreaterThan(30);
        }
    }

    static int firstIndexOf(LabelledImages images, int label) {
        for (int i = 0; i < images.size(); i++) {
            if (images.label(i) == label) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- confusion matrix

    @Test
    void confusionMatrixDiagonalIsDarkerThanEveryOtherCell() throws IOException {
        // class c: 80 right, 15 taken for c+1, 5 for c+3
        List<Byte> labels = new ArrayList<>();
        List<Integer> predicted = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            for (int i = 0; i < 100; i++) {
                labels.add((byte) c);
                predicted.add(i < 80 ? c : i < 95 ? (c + 1) % 10 : (c + 3) % 10);
            }
        }
        byte[] l = new byte[labels.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.get(i);
        }
        Evaluation eval = Evaluation.of("test", l, predicted.stream().mapToInt(Integer::intValue).toArray());
        Path out = OUT.resolve("confusion-synthetic.png");
        HeatmapLayout layout = ReportPlots.confusionMatrix("cnn 1", eval, out);

        BufferedImage img = readPng(out);
        assertThat(img.getWidth()).isBetween(600, 1400);
        assertThat(img.getHeight()).isBetween(600, 1200);
        GridLayout grid = layout.grid();
        assertThat(grid.rows()).isEqualTo(10);
        assertThat(grid.cols()).isEqualTo(10);
        double darkestOff = 1;
        double lightestDiagonal = 0;
        for (int r = 0; r < 10; r++) {
            for (int c = 0; c < 10; c++) {
                Rectangle cell = grid.cell(r, c);
                double lum = luminance(img.getRGB(cell.x + 3, cell.y + 3)); // a corner, away from the count
                if (r == c) {
                    lightestDiagonal = Math.max(lightestDiagonal, lum);
                    // the count is written in light text on the dark cell
                    Rectangle middle = new Rectangle(cell.x + cell.width / 4, cell.y + cell.height / 4,
                            cell.width / 2, cell.height / 2);
                    assertThat(countPixels(img, middle, rgb -> luminance(rgb) > 0.8)).isGreaterThan(5);
                } else {
                    darkestOff = Math.min(darkestOff, lum);
                }
                if (eval.confusionMatrix()[r][c] == 0) {
                    assertThat(img.getRGB(cell.x + 3, cell.y + 3)).isEqualTo(ColorScales.blues(0).getRGB());
                }
            }
        }
        assertThat(lightestDiagonal).isLessThan(darkestOff - 0.2);
        // the 15 % cells are darker than the 5 % cells
        assertThat(luminance(at(img, grid.cell(0, 1)))).isLessThan(luminance(at(img, grid.cell(0, 3))));
        // colour bar: 100 % at the top, 0 at the bottom
        Rectangle bar = layout.colorBar();
        assertThat(img.getRGB(bar.x + bar.width / 2, bar.y)).isEqualTo(ColorScales.blues(1).getRGB());
        assertThat(img.getRGB(bar.x + bar.width / 2, bar.y + bar.height - 1)).isEqualTo(ColorScales.blues(0).getRGB());
    }

    static int at(BufferedImage img, Rectangle cell) {
        return img.getRGB(cell.x + 3, cell.y + 3);
    }

    // ---------------------------------------------------------------- accuracy per epoch

    @Test
    void accuracyPerEpochShowsRisingAccuracyAndFallingLoss() throws IOException {
        List<EpochMetrics> epochs = new ArrayList<>();
        for (int e = 1; e <= 12; e++) {
            double trainAcc = 0.95 - 0.25 * Math.exp(-0.4 * e);
            double valAcc = 0.91 - 0.22 * Math.exp(-0.4 * e);
            epochs.add(new EpochMetrics(e, 1.2 * Math.exp(-0.3 * e) + 0.1, trainAcc, 1.1 * Math.exp(-0.3 * e) + 0.25,
                    valAcc, 1e-3, 3.1, 19_000));
        }
        Path out = OUT.resolve("accuracy-per-epoch.png");
        ChartLayout layout = ReportPlots.accuracyPerEpoch("lenet 1", epochs, out);

        BufferedImage img = readPng(out);
        assertThat(img.getWidth()).isEqualTo(900);
        assertThat(img.getHeight()).isEqualTo(720);
        assertThat(layout.dataAreas()).hasSize(2);
        Rectangle accuracy = layout.dataAreas().get(0);
        Rectangle loss = layout.dataAreas().get(1);
        assertThat(accuracy.y + accuracy.height).isLessThanOrEqualTo(loss.y);
        for (Color series : List.of(ColorScales.SERIES_1, ColorScales.SERIES_2)) {
            // screen y grows downwards: rising accuracy has smaller y on the right
            assertThat(meanY(img, right(accuracy), series)).isLessThan(meanY(img, left(accuracy), series) - 20);
            assertThat(meanY(img, right(loss), series)).isGreaterThan(meanY(img, left(loss), series) + 20);
        }
        // validation below training in accuracy, above it in loss
        assertThat(meanY(img, accuracy, ColorScales.SERIES_2)).isGreaterThan(meanY(img, accuracy, ColorScales.SERIES_1));
        assertThat(meanY(img, loss, ColorScales.SERIES_2)).isLessThan(meanY(img, loss, ColorScales.SERIES_1));

        // XGBoost rounds without loss values: the missing points are left out, nothing breaks
        List<EpochMetrics> rounds = List.of(new EpochMetrics(1, Double.NaN, 0.8, Double.NaN, 0.79, Double.NaN, 1, 1),
                new EpochMetrics(2, Double.NaN, 0.84, Double.NaN, 0.82, Double.NaN, 1, 1));
        Path xgb = OUT.resolve("accuracy-per-epoch-nan.png");
        ChartLayout accuracyOnly = ReportPlots.accuracyPerEpoch("xgboost 1", rounds, xgb);
        assertThat(readPng(xgb).getWidth()).isEqualTo(900);
        assertThat(accuracyOnly.dataAreas()).hasSize(1);
        meanY(readPng(xgb), accuracyOnly.dataAreas().get(0), ColorScales.SERIES_2);

        // a refit's epochs have no validation figures: no validation line and no validation entry in the legend
        List<EpochMetrics> refit = List.of(new EpochMetrics(1, 0.6, 0.77, Double.NaN, Double.NaN, 0.05, 50, 1_000),
                new EpochMetrics(2, 0.4, 0.86, Double.NaN, Double.NaN, 0.04, 50, 1_000));
        Path refitPng = OUT.resolve("accuracy-per-epoch-refit.png");
        ReportPlots.accuracyPerEpoch("cnn 1", refit, refitPng);
        BufferedImage refitImage = readPng(refitPng);
        Rectangle whole = new Rectangle(0, 0, refitImage.getWidth(), refitImage.getHeight());
        meanY(refitImage, whole, ColorScales.SERIES_1);
        assertThat(pixelsOf(refitImage, ColorScales.SERIES_2)).isZero();
    }

    static int pixelsOf(BufferedImage img, Color color) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (close(img.getRGB(x, y), color.getRGB(), 30)) {
                    n++;
                }
            }
        }
        return n;
    }

    static Rectangle left(Rectangle r) {
        return new Rectangle(r.x, r.y, r.width / 4, r.height);
    }

    static Rectangle right(Rectangle r) {
        return new Rectangle(r.x + r.width * 3 / 4, r.y, r.width / 4, r.height);
    }

    /** Mean y of the pixels close to a colour inside an area; fails when there are none. */
    static double meanY(BufferedImage img, Rectangle area, Color color) {
        long sum = 0;
        int n = 0;
        for (int y = area.y; y < area.y + area.height; y++) {
            for (int x = area.x; x < area.x + area.width; x++) {
                if (close(img.getRGB(x, y), color.getRGB(), 30)) {
                    sum += y;
                    n++;
                }
            }
        }
        assertThat(n).as("pixels of " + color + " in " + area).isGreaterThan(20);
        return (double) sum / n;
    }

    // ---------------------------------------------------------------- importance heatmap

    @Test
    void importanceHeatmapMapsValuesOntoTheColourScale() throws IOException {
        float[] importance = new float[784];
        for (int r = 10; r < 14; r++) {
            for (int c = 12; c < 16; c++) {
                importance[r * 28 + c] = 5f;
            }
        }
        importance[27 * 28 + 27] = 2.5f;
        Path out = OUT.resolve("importance-synthetic.png");
        HeatmapLayout layout = ReportPlots.importanceHeatmap("xgboost 1: feature importance (gain)", importance, out);

        BufferedImage img = readPng(out);
        GridLayout grid = layout.grid();
        assertThat(grid.rows()).isEqualTo(28);
        assertThat(grid.cellWidth()).isGreaterThanOrEqualTo(8);
        assertThat(img.getWidth()).isBetween(28 * grid.cellWidth(), 28 * grid.cellWidth() + 250);
        assertThat(img.getHeight()).isBetween(28 * grid.cellHeight(), 28 * grid.cellHeight() + 120);
        assertCellIs(img, grid.cell(11, 13), ColorScales.viridis(1));
        assertCellIs(img, grid.cell(0, 0), ColorScales.viridis(0));
        assertCellIs(img, grid.cell(27, 27), ColorScales.viridis(0.5));
        Rectangle bar = layout.colorBar();
        assertThat(bar.x).isGreaterThanOrEqualTo(grid.bounds().x + grid.bounds().width);
        assertThat(img.getRGB(bar.x + 2, bar.y)).isEqualTo(ColorScales.viridis(1).getRGB());
        assertThat(img.getRGB(bar.x + 2, bar.y + bar.height - 1)).isEqualTo(ColorScales.viridis(0).getRGB());
        assertThat(img.getRGB(bar.x + 2, bar.y + bar.height / 2)).isNotEqualTo(ColorScales.viridis(0).getRGB());

        assertThatThrownBy(() -> ReportPlots.importanceHeatmap("x", new float[10], OUT.resolve("never.png")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("784");
    }

    static void assertCellIs(BufferedImage img, Rectangle cell, Color color) {
        for (int y = cell.y; y < cell.y + cell.height; y++) {
            for (int x = cell.x; x < cell.x + cell.width; x++) {
                assertThat(img.getRGB(x, y)).as("(%d,%d)", x, y).isEqualTo(color.getRGB());
            }
        }
    }

    // ---------------------------------------------------------------- embedding

    @Test
    void umapOfTwoThousandTestImagesSeparatesTheClasses() throws IOException {
        Path out = OUT.resolve("umap.png");
        checkEmbeddingPlot(ReportPlots.umap(data.test(), Embedding2d.DEFAULT_IMAGES, 42, out), out);
    }

    @Test
    void tsneOfTwoThousandTestImagesSeparatesTheClasses() throws IOException {
        Path out = OUT.resolve("embedding.png");
        checkEmbeddingPlot(ReportPlots.tsne(data.test(), Embedding2d.DEFAULT_IMAGES, 42, out), out);
    }

    private static void checkEmbeddingPlot(Embedding2d e, Path out) throws IOException {
        String name = e.method().displayName();
        System.out.printf("%s of %d images: %.1f s, 1-NN agreement %.3f%n", name, e.size(), e.seconds(),
                e.nearestNeighbourAgreement());

        assertThat(e.seconds()).as(name + " time budget").isLessThan(60);
        assertThat(e.size()).isEqualTo(2_000);
        assertThat(e.indices()).doesNotHaveDuplicates();
        assertThat(Arrays.stream(e.classCounts()).min().orElseThrow()).isGreaterThan(150);
        for (int i = 0; i < e.size(); i++) {
            assertThat(e.labels()[i]).isEqualTo(data.test().label(e.indices()[i]));
        }
        // neighbours in the map share their class far more often than chance (0.1)
        assertThat(e.nearestNeighbourAgreement()).isGreaterThan(0.6);
        // trousers and bags: apart, and each point nearer its own class's centre
        double[] trouser = e.centroid(FashionClass.TROUSER.label());
        double[] bag = e.centroid(FashionClass.BAG.label());
        int right = 0;
        int total = 0;
        for (int i = 0; i < e.size(); i++) {
            int label = e.labels()[i];
            if (label == FashionClass.TROUSER.label() || label == FashionClass.BAG.label()) {
                double[] p = e.coordinates()[i];
                boolean nearerTrouser = dist(p, trouser) < dist(p, bag);
                right += nearerTrouser == (label == FashionClass.TROUSER.label()) ? 1 : 0;
                total++;
            }
        }
        assertThat((double) right / total).as("trouser/bag nearest-centroid accuracy").isGreaterThan(0.95);
        assertThat(dist(trouser, bag)).isGreaterThan(2 * (spread(e, FashionClass.TROUSER.label())
                + spread(e, FashionClass.BAG.label())) / 2);

        BufferedImage img = readPng(out);
        assertThat(img.getWidth()).isEqualTo(960);
        assertThat(img.getHeight()).isEqualTo(780);
        Rectangle area = ChartPlots.embedding(e, "again", OUT.resolve("embedding-again.png")).dataAreas().get(0);
        for (int c = 0; c < 10; c++) {
            int rgb = ColorScales.CLASS_COLORS[c].getRGB();
            assertThat(countPixels(img, area, p -> p == rgb)).as(name + " points of class " + c).isGreaterThan(200);
        }
    }

    static double dist(double[] a, double[] b) {
        return Math.hypot(a[0] - b[0], a[1] - b[1]);
    }

    /** Root mean square distance of a class's points from their centroid. */
    static double spread(Embedding2d e, int label) {
        double[] c = e.centroid(label);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < e.size(); i++) {
            if (e.labels()[i] == label) {
                double d = dist(e.coordinates()[i], c);
                sum += d * d;
                n++;
            }
        }
        return Math.sqrt(sum / n);
    }

    // ---------------------------------------------------------------- writeAll

    @Test
    void writeAllWritesEveryPlotIntoNameAndVersion() throws IOException {
        LabelledImages train = data.train().head(3_000);
        LabelledImages test = data.test().head(1_000);
        float[][] centroids = classMeans(train);
        int[] predicted = new int[test.size()];
        for (int i = 0; i < test.size(); i++) {
            predicted[i] = nearestCentroid(test.image(i), centroids);
        }
        Evaluation testEval = Evaluation.of("test", test, predicted);
        Evaluation validationEval = Evaluation.of("Validation set", test.head(200), Arrays.copyOf(predicted, 200));
        List<EpochMetrics> epochs = List.of(new EpochMetrics(1, 0.9, 0.7, 0.95, 0.68, 1e-3, 3, 20_000),
                new EpochMetrics(2, 0.6, 0.8, 0.7, 0.78, 1e-3, 3, 20_000),
                new EpochMetrics(3, 0.5, 0.84, 0.6, 0.81, 1e-3, 3, 20_000));
        ReportWriter.ReportData report = new ReportWriter.ReportData(train, test, List.of(testEval, validationEval),
                epochs, betweenClassVariance(centroids), "between-class variance per pixel", 10, 500, 2, 42);

        Path root = OUT.resolve("runs");
        List<Path> files = ReportWriter.writeAll(root, "centroid", "3", report);

        Path dir = root.resolve("centroid").resolve("3");
        assertThat(files.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("class-distribution.png", "samples.png", "confusion-test.png",
                        "confusion-validation-set.png", "accuracy-per-epoch.png", "importance.png", "umap.png",
                        "embedding.png");
        for (Path f : files) {
            assertThat(f.getParent()).isEqualTo(dir);
            BufferedImage img = readPng(f);
            assertThat(img.getWidth()).as(f.toString()).isBetween(300, 2000);
            assertThat(img.getHeight()).as(f.toString()).isBetween(300, 2000);
        }
        assertThat(testEval.accuracy()).isBetween(0.55, 0.85); // nearest class mean: a weak but real classifier

        // without optional inputs only the data plots are written
        ReportWriter.ReportData bare = new ReportWriter.ReportData(train, test, null, List.of(), null, null, 0, 0, 1, 1);
        assertThat(ReportWriter.writeAll(root, "bare", "1", bare)).extracting(p -> p.getFileName().toString())
                .containsExactly("class-distribution.png");
    }

    static float[][] classMeans(LabelledImages images) {
        float[][] mean = new float[10][784];
        int[] counts = images.classCounts();
        for (int i = 0; i < images.size(); i++) {
            byte[] img = images.image(i);
            for (int p = 0; p < 784; p++) {
                mean[images.label(i)][p] += (img[p] & 0xFF) / 255f / counts[images.label(i)];
            }
        }
        return mean;
    }

    static int nearestCentroid(byte[] img, float[][] centroids) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int c = 0; c < centroids.length; c++) {
            double d = 0;
            for (int p = 0; p < 784; p++) {
                double diff = (img[p] & 0xFF) / 255.0 - centroids[c][p];
                d += diff * diff;
            }
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    static float[] betweenClassVariance(float[][] centroids) {
        float[] v = new float[784];
        for (int p = 0; p < 784; p++) {
            double m = 0;
            for (float[] c : centroids) {
                m += c[p] / centroids.length;
            }
            double s = 0;
            for (float[] c : centroids) {
                s += (c[p] - m) * (c[p] - m);
            }
            v[p] = (float) (s / centroids.length);
        }
        return v;
    }

    // ---------------------------------------------------------------- helpers

    static BufferedImage readPng(Path file) throws IOException {
        assertThat(file).exists();
        byte[] head = Arrays.copyOf(Files.readAllBytes(file), 8);
        assertThat(head).as("PNG signature").containsExactly(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img).as("readable PNG " + file).isNotNull();
        return img;
    }

    static LabelledImages blankImages(int[] counts) {
        int n = Arrays.stream(counts).sum();
        byte[] labels = new byte[n];
        int i = 0;
        for (int c = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                labels[i++] = (byte) c;
            }
        }
        // shuffle so the order of labels does not matter
        Random random = new Random(1);
        for (int k = n - 1; k > 0; k--) {
            int j = random.nextInt(k + 1);
            byte t = labels[k];
            labels[k] = labels[j];
            labels[j] = t;
        }
        return new LabelledImages(new byte[n * 784], labels);
    }

    static int countPixels(BufferedImage img, Rectangle area, java.util.function.IntPredicate test) {
        int n = 0;
        for (int y = area.y; y < area.y + area.height; y++) {
            for (int x = area.x; x < area.x + area.width; x++) {
                n += test.test(img.getRGB(x, y)) ? 1 : 0;
            }
        }
        return n;
    }

    static double luminance(int rgb) {
        return ColorScales.luminance(new Color(rgb));
    }

    static boolean close(int a, int b, int tolerance) {
        return Math.abs(((a >> 16) & 0xFF) - ((b >> 16) & 0xFF)) + Math.abs(((a >> 8) & 0xFF) - ((b >> 8) & 0xFF))
                + Math.abs((a & 0xFF) - (b & 0xFF)) <= tolerance;
    }
}
