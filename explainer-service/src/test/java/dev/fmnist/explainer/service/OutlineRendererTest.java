package dev.fmnist.explainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.Pixels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** LIME's picture: the top positive segments outlined over the grey image, nothing else changed. */
class OutlineRendererTest {
    static final int YELLOW = OutlineRenderer.OUTLINE.getRGB();

    /** Three segments: a 2x3 block at rows 10-11, columns 5-7 (0), a 3x2 block at rows 20-22, columns 20-21 (1), the rest (2). */
    static short[] threeSegments() {
        short[] ids = new short[Pixels.COUNT];
        java.util.Arrays.fill(ids, (short) 2);
        for (int y = 10; y <= 11; y++) {
            for (int x = 5; x <= 7; x++) {
                ids[y * Pixels.SIDE + x] = 0;
            }
        }
        for (int y = 20; y <= 22; y++) {
            for (int x = 20; x <= 21; x++) {
                ids[y * Pixels.SIDE + x] = 1;
            }
        }
        return ids;
    }

    /** A grey ramp, no pixel of which is yellow. */
    static byte[] ramp() {
        byte[] pixels = new byte[Pixels.COUNT];
        for (int p = 0; p < Pixels.COUNT; p++) {
            pixels[p] = (byte) (p % 200);
        }
        return pixels;
    }

    @Test
    void onlyTheBoundaryPixelsOfTheChosenSegmentAreColouredEveryOtherPixelIsTheImage() {
        int scale = 10;
        int t = OutlineRenderer.thickness(scale);
        assertThat(t).isEqualTo(2);
        byte[] pixels = ramp();
        // segment 0 positive, 1 negative, 2 zero: only segment 0 is outlined
        BufferedImage img = OutlineRenderer.render(pixels, threeSegments(), new float[] {0.5f, -0.8f, 0f}, 5, scale);
        assertThat(img.getWidth()).isEqualTo(280);
        assertThat(img.getHeight()).isEqualTo(280);
        int x0 = 5 * scale;
        int x1 = 8 * scale - 1;
        int y0 = 10 * scale;
        int y1 = 12 * scale - 1;
        int coloured = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                boolean inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
                boolean onBoundary = inside && (x < x0 + t || x > x1 - t || y < y0 + t || y > y1 - t);
                int rgb = img.getRGB(x, y);
                if (onBoundary) {
                    assertThat(rgb).as("(%d, %d) is on segment 0's boundary", x, y).isEqualTo(YELLOW);
                    coloured++;
                } else {
                    int grey = pixels[(y / scale) * Pixels.SIDE + x / scale] & 0xFF;
                    assertThat(rgb).as("(%d, %d) is the image's grey", x, y)
                            .isEqualTo(0xFF000000 | (grey << 16) | (grey << 8) | grey);
                }
            }
        }
        // the block is 30 x 20 output pixels: its ring of width 2 has 30*20 - 26*16 pixels
        assertThat(coloured).isEqualTo(30 * 20 - 26 * 16);
    }

    @Test
    void topLimitsTheOutlinedSegmentsToTheHighestPositiveOnes() {
        short[] ids = threeSegments();
        float[] weights = {0.2f, 0.9f, 0.1f};
        assertThat(OutlineRenderer.topPositive(weights, 5)).containsExactly(1, 0, 2);
        assertThat(OutlineRenderer.topPositive(weights, 1)).containsExactly(1);
        assertThat(OutlineRenderer.topPositive(new float[] {-1f, 0f, -0.1f}, 5)).isEmpty();
        assertThat(OutlineRenderer.topPositive(new float[] {0.3f, 0.3f, 0.3f}, 2)).containsExactly(0, 1);

        BufferedImage one = OutlineRenderer.render(ramp(), ids, weights, 1, 4);
        // segment 1 (the highest) is outlined at its top-left corner, segment 0 is not
        assertThat(one.getRGB(20 * 4, 20 * 4)).isEqualTo(YELLOW);
        assertThat(one.getRGB(5 * 4, 10 * 4)).isNotEqualTo(YELLOW);
        BufferedImage two = OutlineRenderer.render(ramp(), ids, weights, 2, 4);
        assertThat(two.getRGB(5 * 4, 10 * 4)).isEqualTo(YELLOW);
        // segment 2, the rest of the image, is third: its outer edge stays grey with top 2
        assertThat(two.getRGB(0, 0)).isNotEqualTo(YELLOW);
        BufferedImage three = OutlineRenderer.render(ramp(), ids, weights, 3, 4);
        assertThat(three.getRGB(0, 0)).isEqualTo(YELLOW);
        assertThat(three.getRGB(14 * 4, 14 * 4)).as("inside segment 2, away from any boundary").isNotEqualTo(YELLOW);
    }

    @Test
    void noPositiveSegmentLeavesTheImageAsItIs() throws Exception {
        byte[] pixels = ramp();
        byte[] png = OutlineRenderer.png(pixels, threeSegments(), new float[] {-1f, -2f, 0f}, 5, 4);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(112);
        for (int y = 0; y < 112; y++) {
            for (int x = 0; x < 112; x++) {
                assertThat(img.getRGB(x, y) & 0xFF).isEqualTo(pixels[(y / 4) * Pixels.SIDE + x / 4] & 0xFF);
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithClearMessages() {
        short[] ids = threeSegments();
        assertThatThrownBy(() -> OutlineRenderer.render(ramp(), ids, new float[] {1, 1, 1}, 0, 10))
                .hasMessageContaining("top must be 1..50");
        assertThatThrownBy(() -> OutlineRenderer.render(ramp(), ids, new float[] {1, 1, 1}, 5, 2))
                .hasMessageContaining("scale must be 4..32");
        assertThatThrownBy(() -> OutlineRenderer.render(ramp(), ids, new float[] {1, 1}, 5, 10))
                .hasMessageContaining("segment id 2 has no weight (2 weights)");
        assertThatThrownBy(() -> OutlineRenderer.render(ramp(), new short[10], new float[] {1}, 5, 10))
                .hasMessageContaining("784 segment ids");
    }
}
