package dev.fmnist.trainer.report;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.evaluation.Evaluation;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The pixel-exact report figures, drawn with plain Java2D (no chart library): the sample grid,
 * the confusion-matrix heatmap and the 28x28 importance heatmap. Images are drawn pixel by pixel
 * as {@code scale x scale} blocks (nearest neighbour, no smoothing), so every block has exactly
 * its source pixel's value; only text is antialiased.
 */
final class ImagePlots {

    static final Color BACKGROUND = Color.WHITE;
    static final Color TEXT = new Color(0x222222);
    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font CELL_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);

    static final int SAMPLE_SCALE = 3;
    static final int SAMPLE_GAP = 2;
    static final int CONFUSION_CELL = 56;
    static final int IMPORTANCE_SCALE = 16;
    static final int COLOR_BAR_WIDTH = 18;

    private ImagePlots() {
    }

    // ---------------------------------------------------------------- sample grid

    static SampleGrid sampleGrid(LabelledImages images, int perClass, Path out) {
        if (perClass < 1) {
            throw new IllegalArgumentException("perClass must be positive, got " + perClass);
        }
        int k = FashionClass.COUNT;
        int[][] indices = firstPerClass(images, perClass);
        int side = Pixels.SIDE * SAMPLE_SCALE;
        int labelWidth = maxTextWidth(LABEL_FONT, FashionClass.displayNames().toArray(String[]::new)) + 16;
        String title = "Fashion-MNIST: " + perClass + (perClass == 1 ? " image" : " images") + " per class";
        int top = 40;
        GridLayout grid = new GridLayout(12 + labelWidth, top, side, side, SAMPLE_GAP, k, perClass);
        Rectangle bounds = grid.bounds();
        int width = Math.max(bounds.x + bounds.width + 12, textWidth(TITLE_FONT, title) + 24);
        int height = bounds.y + bounds.height + 12;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        drawCentred(g, TITLE_FONT, title, width / 2, 26);
        g.setFont(LABEL_FONT);
        FontMetrics fm = g.getFontMetrics();
        byte[] px = images.pixels();
        for (int c = 0; c < k; c++) {
            int y = grid.y(c);
            String name = FashionClass.ofLabel(c).displayName();
            g.setColor(TEXT);
            g.drawString(name, grid.left() - 10 - fm.stringWidth(name), y + side / 2 + fm.getAscent() / 2 - 1);
            for (int j = 0; j < perClass; j++) {
                if (indices[c][j] < 0) {
                    continue; // fewer images of this class than perClass: leave the cell empty
                }
                int off = indices[c][j] * Pixels.COUNT;
                int x0 = grid.x(j);
                for (int r = 0; r < Pixels.SIDE; r++) {
                    for (int col = 0; col < Pixels.SIDE; col++) {
                        int v = px[off + r * Pixels.SIDE + col] & 0xFF;
                        fill(img, x0 + col * SAMPLE_SCALE, y + r * SAMPLE_SCALE, SAMPLE_SCALE, SAMPLE_SCALE,
                                (v << 16) | (v << 8) | v);
                    }
                }
            }
        }
        g.dispose();
        write(img, out);
        return new SampleGrid(grid, SAMPLE_SCALE, indices);
    }

    /** The first {@code perClass} indices of each class in index order; -1 where a class has fewer. */
    static int[][] firstPerClass(LabelledImages images, int perClass) {
        int k = FashionClass.COUNT;
        int[][] indices = new int[k][perClass];
        int[] filled = new int[k];
        for (int[] row : indices) {
            java.util.Arrays.fill(row, -1);
        }
        int done = 0;
        for (int i = 0; i < images.size() && done < k; i++) {
            int c = images.label(i);
            if (filled[c] < perClass) {
                indices[c][filled[c]++] = i;
                if (filled[c] == perClass) {
                    done++;
                }
            }
        }
        return indices;
    }

    // ---------------------------------------------------------------- confusion matrix

    static HeatmapLayout confusionMatrix(String modelName, Evaluation eval, Path out) {
        int k = FashionClass.COUNT;
        int[][] m = eval.confusionMatrix();
        if (m.length != k) {
            throw new IllegalArgumentException("confusion matrix must be " + k + "x" + k);
        }
        String[] names = FashionClass.displayNames().toArray(String[]::new);
        int nameWidth = maxTextWidth(LABEL_FONT, names);
        int cell = CONFUSION_CELL;
        String title = String.format(Locale.ROOT, "%s: confusion matrix on %s (%,d images), accuracy %.2f %%",
                modelName, eval.split(), eval.images(), 100 * eval.accuracy());
        int left = 12 + 20 + 8 + nameWidth + 10; // margin, "True label", gap, class names, gap
        int top = 48;
        GridLayout grid = new GridLayout(left, top, cell, cell, 1, k, k);
        Rectangle b = grid.bounds();
        Rectangle bar = new Rectangle(b.x + b.width + 24, b.y, COLOR_BAR_WIDTH, b.height);
        int tickWidth = textWidth(LABEL_FONT, "100 %");
        int width = Math.max(bar.x + bar.width + 6 + tickWidth + 8 + 20 + 12, textWidth(TITLE_FONT, title) + 24);
        int rotatedHeight = (int) Math.ceil(nameWidth * Math.sqrt(0.5)) + 16;
        int height = b.y + b.height + 8 + rotatedHeight + 30;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        drawCentred(g, TITLE_FONT, title, width / 2, 28);

        for (int r = 0; r < k; r++) {
            long rowTotal = 0;
            for (int c = 0; c < k; c++) {
                rowTotal += m[r][c];
            }
            for (int c = 0; c < k; c++) {
                double share = rowTotal == 0 ? 0 : (double) m[r][c] / rowTotal;
                Color bg = ColorScales.blues(share);
                Rectangle rc = grid.cell(r, c);
                fill(img, rc.x, rc.y, rc.width, rc.height, bg.getRGB());
                Color fg = m[r][c] == 0 ? new Color(0xb0b0b0)
                        : ColorScales.luminance(bg) < 0.5 ? Color.WHITE : TEXT;
                g.setColor(fg);
                drawCentred(g, CELL_FONT, Integer.toString(m[r][c]), rc.x + rc.width / 2, rc.y + rc.height / 2 + 5);
            }
        }
        // class names: true labels left of the rows, predicted labels below the columns at 45 degrees
        g.setFont(LABEL_FONT);
        g.setColor(TEXT);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < k; i++) {
            g.drawString(names[i], left - 10 - fm.stringWidth(names[i]), grid.y(i) + cell / 2 + fm.getAscent() / 2 - 1);
            AffineTransform saved = g.getTransform();
            g.translate(grid.x(i) + cell / 2.0 + 4, b.y + b.height + 10);
            g.rotate(-Math.PI / 4);
            g.drawString(names[i], -fm.stringWidth(names[i]), fm.getAscent());
            g.setTransform(saved);
        }
        drawCentred(g, LABEL_FONT, "Predicted label", b.x + b.width / 2, height - 12);
        drawVertical(g, LABEL_FONT, "True label", 12 + 14, b.y + b.height / 2);

        // colour bar: share of the true class's images, 0 at the bottom, 100 % at the top
        drawColorBar(img, g, bar, ColorScales::blues, new String[] {"0 %", "25 %", "50 %", "75 %", "100 %"});
        drawVertical(g, LABEL_FONT, "share of true class", bar.x + bar.width + 6 + tickWidth + 8 + 14,
                bar.y + bar.height / 2);
        g.dispose();
        write(img, out);
        return new HeatmapLayout(grid, bar);
    }

    // ---------------------------------------------------------------- importance heatmap

    static HeatmapLayout importanceHeatmap(String title, float[] importance, Path out) {
        if (importance == null || importance.length != Pixels.COUNT) {
            throw new IllegalArgumentException("importance needs " + Pixels.COUNT + " values (28x28), got "
                    + (importance == null ? "none" : importance.length));
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : importance) {
            if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) { // no finite value at all
            min = 0;
            max = 0;
        }
        int s = IMPORTANCE_SCALE;
        int side = Pixels.SIDE * s;
        GridLayout grid = new GridLayout(24, 48, s, s, 0, Pixels.SIDE, Pixels.SIDE);
        Rectangle bar = new Rectangle(grid.left() + side + 24, grid.top(), COLOR_BAR_WIDTH, side);
        String[] ticks = new String[5];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = formatTick(min + (max - min) * i / (ticks.length - 1));
        }
        int tickWidth = maxTextWidth(LABEL_FONT, ticks);
        int width = Math.max(bar.x + bar.width + 6 + tickWidth + 16, textWidth(TITLE_FONT, title) + 24);
        int height = grid.top() + side + 24;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        drawCentred(g, TITLE_FONT, title, width / 2, 28);
        double range = max - min;
        for (int r = 0; r < Pixels.SIDE; r++) {
            for (int c = 0; c < Pixels.SIDE; c++) {
                float v = importance[r * Pixels.SIDE + c];
                double t = !Float.isFinite(v) || range == 0 ? 0 : (v - min) / range;
                fill(img, grid.x(c), grid.y(r), s, s, ColorScales.viridis(t).getRGB());
            }
        }
        drawColorBar(img, g, bar, ColorScales::viridis, ticks);
        g.dispose();
        write(img, out);
        return new HeatmapLayout(grid, bar);
    }

    static String formatTick(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e4 || a < 1e-3 ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    // ---------------------------------------------------------------- helpers

    /** A colour bar, high values at the top, with evenly spaced tick labels (first = bottom). */
    private static void drawColorBar(BufferedImage img, Graphics2D g, Rectangle bar,
                                     java.util.function.DoubleFunction<Color> scale, String[] ticks) {
        for (int y = 0; y < bar.height; y++) {
            double t = bar.height == 1 ? 1 : 1.0 - (double) y / (bar.height - 1);
            fill(img, bar.x, bar.y + y, bar.width, 1, scale.apply(t).getRGB());
        }
        g.setColor(TEXT);
        g.drawRect(bar.x - 1, bar.y - 1, bar.width + 1, bar.height + 1);
        g.setFont(LABEL_FONT);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < ticks.length; i++) {
            int y = bar.y + bar.height - 1 - (int) Math.round((bar.height - 1) * (double) i / (ticks.length - 1));
            g.drawLine(bar.x + bar.width, y, bar.x + bar.width + 4, y);
            g.drawString(ticks[i], bar.x + bar.width + 7, y + fm.getAscent() / 2 - 1);
        }
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setColor(TEXT);
        return g;
    }

    /** Sets a rectangle of pixels directly (exact colours, no rendering pipeline). */
    private static void fill(BufferedImage img, int x, int y, int w, int h, int rgb) {
        for (int yy = y; yy < y + h; yy++) {
            for (int xx = x; xx < x + w; xx++) {
                img.setRGB(xx, yy, rgb);
            }
        }
    }

    private static void drawCentred(Graphics2D g, Font font, String text, int cx, int baseline) {
        g.setFont(font);
        g.drawString(text, cx - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    /** Text rotated to read bottom-up, centred at ({@code x} = baseline, {@code cy}). */
    private static void drawVertical(Graphics2D g, Font font, String text, int x, int cy) {
        AffineTransform saved = g.getTransform();
        g.setFont(font);
        g.translate(x, cy);
        g.rotate(-Math.PI / 2);
        g.drawString(text, -g.getFontMetrics().stringWidth(text) / 2, 0);
        g.setTransform(saved);
    }

    private static int textWidth(Font font, String text) {
        return maxTextWidth(font, text);
    }

    private static int maxTextWidth(Font font, String... texts) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        FontMetrics fm = g.getFontMetrics(font);
        int w = 0;
        for (String t : texts) {
            w = Math.max(w, fm.stringWidth(t));
        }
        g.dispose();
        return w;
    }

    static void write(BufferedImage img, Path out) {
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(img, "png", out.toFile())) {
                throw new IllegalStateException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }
}
