package dev.fmnist.explainer.service;

import dev.fmnist.common.Pixels;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * LIME's picture of an explanation (Ribeiro et al. 2016, and scikit-image's {@code mark_boundaries}
 * as the {@code lime} package draws it): the grey image, upscaled with nearest neighbour, with the
 * boundaries of the {@code top} segments of highest positive weight outlined in yellow. Every other
 * pixel is the image's grey, so what the outline encloses is what the model saw.
 *
 * <p>A boundary is drawn on the inside of a chosen segment, along each side of a pixel whose
 * neighbour across that side belongs to another segment or lies outside the image; it is
 * {@link #thickness(int)} pixels wide at the output's scale. Two chosen segments that touch are
 * both outlined along their common side.
 */
public final class OutlineRenderer {
    public static final int DEFAULT_TOP = 5;
    public static final int MAX_TOP = 50;
    /** The colour of the outlines: scikit-image's {@code mark_boundaries} default, (1, 1, 0). */
    static final Color OUTLINE = new Color(255, 255, 0);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private OutlineRenderer() {
    }

    /** Width of an outline at {@code scale}: a fifth of a source pixel, at least one output pixel. */
    public static int thickness(int scale) {
        return Math.max(1, scale / 5);
    }

    /**
     * The ids of the at most {@code top} segments with the highest positive weight, highest first
     * (equal weights in id order, so the picture is deterministic); segments of weight 0 or less are
     * never chosen.
     */
    public static int[] topPositive(float[] segmentWeights, int top) {
        Comparator<Integer> highestFirst = (a, b) -> Float.compare(segmentWeights[b], segmentWeights[a]);
        return IntStream.range(0, segmentWeights.length).boxed()
                .filter(s -> segmentWeights[s] > 0)
                .sorted(highestFirst.thenComparingInt(s -> s))
                .limit(top)
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * The picture as an image of 28 {@code scale} x 28 {@code scale} pixels.
     *
     * @param pixels         784 uint8 pixels
     * @param segments       784 segment ids, 0 .. {@code segmentWeights.length - 1}
     * @param segmentWeights one weight per segment
     * @param top            how many positive segments to outline, 1..{@link #MAX_TOP}
     * @param scale          upscaling, {@link HeatmapRenderer#MIN_SCALE}..{@link HeatmapRenderer#MAX_SCALE}
     */
    public static BufferedImage render(byte[] pixels, short[] segments, float[] segmentWeights, int top, int scale) {
        Pixels.requireImage(pixels);
        if (segments == null || segments.length != Pixels.COUNT) {
            throw new IllegalArgumentException("an outline needs " + Pixels.COUNT + " segment ids");
        }
        if (segmentWeights == null) {
            throw new IllegalArgumentException("an outline needs the segment weights");
        }
        for (short s : segments) {
            if (s < 0 || s >= segmentWeights.length) {
                throw new IllegalArgumentException("segment id " + s + " has no weight (" + segmentWeights.length
                        + " weights)");
            }
        }
        if (top < 1 || top > MAX_TOP) {
            throw new IllegalArgumentException("top must be 1.." + MAX_TOP + ", got " + top);
        }
        if (scale < HeatmapRenderer.MIN_SCALE || scale > HeatmapRenderer.MAX_SCALE) {
            throw new IllegalArgumentException("scale must be " + HeatmapRenderer.MIN_SCALE + ".."
                    + HeatmapRenderer.MAX_SCALE + ", got " + scale);
        }
        boolean[] chosen = new boolean[segmentWeights.length];
        for (int s : topPositive(segmentWeights, top)) {
            chosen[s] = true;
        }
        int side = Pixels.SIDE * scale;
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int grey = pixels[(y / scale) * Pixels.SIDE + x / scale] & 0xFF;
                img.setRGB(x, y, 0xFF000000 | (grey << 16) | (grey << 8) | grey);
            }
        }
        int t = thickness(scale);
        int rgb = OUTLINE.getRGB();
        for (int p = 0; p < Pixels.COUNT; p++) {
            int s = segments[p];
            if (!chosen[s]) {
                continue;
            }
            int py = p / Pixels.SIDE;
            int px = p % Pixels.SIDE;
            int x0 = px * scale;
            int y0 = py * scale;
            if (px == 0 || segments[p - 1] != s) {
                fill(img, x0, y0, t, scale, rgb);
            }
            if (px == Pixels.SIDE - 1 || segments[p + 1] != s) {
                fill(img, x0 + scale - t, y0, t, scale, rgb);
            }
            if (py == 0 || segments[p - Pixels.SIDE] != s) {
                fill(img, x0, y0, scale, t, rgb);
            }
            if (py == Pixels.SIDE - 1 || segments[p + Pixels.SIDE] != s) {
                fill(img, x0, y0 + scale - t, scale, t, rgb);
            }
        }
        return img;
    }

    /** The picture as PNG bytes. */
    public static byte[] png(byte[] pixels, short[] segments, float[] segmentWeights, int top, int scale) {
        return HeatmapRenderer.pngBytes(render(pixels, segments, segmentWeights, top, scale));
    }

    private static void fill(BufferedImage img, int x, int y, int w, int h, int rgb) {
        int[] row = new int[w];
        Arrays.fill(row, rgb);
        for (int yy = y; yy < y + h; yy++) {
            img.setRGB(x, yy, w, 1, row, 0, w);
        }
    }
}
