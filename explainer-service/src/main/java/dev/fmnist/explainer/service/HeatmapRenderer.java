package dev.fmnist.explainer.service;

import dev.fmnist.common.Pixels;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws an attribution map over its image (Java2D, headless): the 28x28 grey image upscaled with
 * nearest neighbour, overlaid with a diverging colour map, blue for negative and red for positive
 * attributions, symmetric around 0 (scaled by the largest absolute value, so +m is full red and -m
 * full blue), with a colour bar labelled {@code +m}, {@code 0}, {@code -m} on the right.
 *
 * <p>A pixel's colour is the grey image blended towards blue or red by {@code |v|} (v the
 * attribution over m, in [-1, 1]): an attribution of 0 leaves the image as it is, and the bar shows
 * the same blend over white.
 */
public final class HeatmapRenderer {
    /** Colour bar: gap to the image, bar width, room for the labels. */
    public static final int GAP = 10;
    public static final int BAR_WIDTH = 16;
    public static final int LABEL_WIDTH = 64;
    public static final int MIN_SCALE = 4;
    public static final int MAX_SCALE = 32;
    /** The ends and the middle of the map (ColorBrewer RdBu). */
    static final Color NEGATIVE = new Color(33, 102, 172);
    static final Color ZERO = new Color(247, 247, 247);
    static final Color POSITIVE = new Color(178, 24, 43);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private HeatmapRenderer() {
    }

    /** Width of a heatmap at {@code scale}. */
    public static int width(int scale) {
        return Pixels.SIDE * scale + GAP + BAR_WIDTH + LABEL_WIDTH;
    }

    /** Height of a heatmap at {@code scale}. */
    public static int height(int scale) {
        return Pixels.SIDE * scale;
    }

    /** The map's colour of {@code v} in [-1, 1] (clamped): white at 0, blue below, red above. */
    public static int colour(double v) {
        double t = Math.max(-1, Math.min(1, v));
        Color end = t < 0 ? NEGATIVE : POSITIVE;
        return lerp(ZERO.getRGB(), end.getRGB(), Math.abs(t));
    }

    /**
     * A pixel of the overlay: grey {@code pixel} (0..255) blended towards the map's end colour (blue
     * or red) by |v|. Over a white pixel this is exactly {@link #colour(double)}, the colour bar's.
     */
    public static int overlay(int pixel, double v) {
        int grey = 0xFF000000 | (pixel << 16) | (pixel << 8) | pixel;
        double t = Math.max(-1, Math.min(1, v));
        return lerp(grey, (t < 0 ? NEGATIVE : POSITIVE).getRGB(), Math.abs(t));
    }

    /** The largest absolute attribution (0 when there is none). */
    public static double scaleOf(float[] attributions) {
        double m = 0;
        for (float a : attributions) {
            m = Math.max(m, Math.abs(a));
        }
        return m;
    }

    /**
     * The heatmap as an image of {@link #width(int)} x {@link #height(int)}.
     *
     * @param pixels       784 uint8 pixels
     * @param attributions 784 attributions
     * @param scale        upscaling, {@link #MIN_SCALE}..{@link #MAX_SCALE}
     */
    public static BufferedImage render(byte[] pixels, float[] attributions, int scale) {
        Pixels.requireImage(pixels);
        if (attributions == null || attributions.length != Pixels.COUNT) {
            throw new IllegalArgumentException("a heatmap needs " + Pixels.COUNT + " attributions");
        }
        if (scale < MIN_SCALE || scale > MAX_SCALE) {
            throw new IllegalArgumentException("scale must be " + MIN_SCALE + ".." + MAX_SCALE + ", got " + scale);
        }
        int side = Pixels.SIDE * scale;
        BufferedImage img = new BufferedImage(width(scale), height(scale), BufferedImage.TYPE_INT_RGB);
        double m = scaleOf(attributions);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int i = (y / scale) * Pixels.SIDE + (x / scale);
                img.setRGB(x, y, overlay(pixels[i] & 0xFF, m == 0 ? 0 : attributions[i] / m));
            }
        }
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(side, 0, img.getWidth() - side, img.getHeight());
            int barX = side + GAP;
            int top = scale;
            int bottom = side - scale;
            for (int y = top; y <= bottom; y++) {
                double v = 1 - 2.0 * (y - top) / Math.max(1, bottom - top); // +1 at the top, -1 at the bottom
                g.setColor(new Color(colour(v)));
                g.drawLine(barX, y, barX + BAR_WIDTH - 1, y);
            }
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1));
            g.drawRect(barX, top, BAR_WIDTH - 1, bottom - top);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(14, scale + 2))));
            FontMetrics fm = g.getFontMetrics();
            int labelX = barX + BAR_WIDTH + 4;
            g.drawString("+" + number(m), labelX, top + fm.getAscent());
            g.drawString("0", labelX, (top + bottom) / 2 + fm.getAscent() / 2);
            g.drawString("-" + number(m), labelX, bottom);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** A white 28x28 background, for maps that belong to no single image (global views). */
    public static byte[] blank() {
        byte[] white = new byte[Pixels.COUNT];
        Arrays.fill(white, (byte) 0xFF);
        return white;
    }

    /**
     * Several maps without an image (global views), each as {@link #render} draws it with its own
     * colour bar, titled, in a grid of {@code columns} columns, as PNG bytes.
     */
    public static byte[] gridPng(List<String> titles, List<float[]> maps, int columns, int scale) {
        if (titles.size() != maps.size() || maps.isEmpty() || columns < 1) {
            throw new IllegalArgumentException("a grid needs as many titles as maps, at least one, and a column count");
        }
        int w = width(scale);
        int h = height(scale);
        int titleHeight = 18;
        int rows = (maps.size() + columns - 1) / columns;
        BufferedImage grid = new BufferedImage(columns * (w + GAP), rows * (h + titleHeight + GAP),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int i = 0; i < maps.size(); i++) {
                int x = (i % columns) * (w + GAP);
                int y = (i / columns) * (h + titleHeight + GAP);
                g.setColor(Color.DARK_GRAY);
                g.drawString(titles.get(i), x + 2, y + 13);
                g.drawImage(render(blank(), maps.get(i), scale), x, y + titleHeight, null);
            }
        } finally {
            g.dispose();
        }
        return pngBytes(grid);
    }

    /** The 28x28 image alone as a grayscale PNG, each pixel a {@code scale} x {@code scale} block. */
    public static byte[] imagePng(byte[] pixels, int scale) {
        if (pixels.length != Pixels.COUNT || scale < 1) {
            throw new IllegalArgumentException("an image is " + Pixels.COUNT + " pixels and a scale at least 1");
        }
        int side = Pixels.SIDE * scale;
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                data[y * side + x] = pixels[(y / scale) * Pixels.SIDE + x / scale];
            }
        }
        return pngBytes(img);
    }

    /** The heatmap as PNG bytes. */
    public static byte[] png(byte[] pixels, float[] attributions, int scale) {
        return pngBytes(render(pixels, attributions, scale));
    }

    static byte[] pngBytes(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String number(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.2g", v);
    }

    private static int lerp(int from, int to, double t) {
        int r = mix((from >> 16) & 0xFF, (to >> 16) & 0xFF, t);
        int g = mix((from >> 8) & 0xFF, (to >> 8) & 0xFF, t);
        int b = mix(from & 0xFF, to & 0xFF, t);
        return 0xFF000000 | (r << 16) | (g << 8) | b;
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }
}
