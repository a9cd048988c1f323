package dev.fmnist.explainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.Pixels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The diverging colour map and the heatmap image. */
class HeatmapRendererTest {

    static int r(int rgb) {
        return (rgb >> 16) & 0xFF;
    }

    static int g(int rgb) {
        return (rgb >> 8) & 0xFF;
    }

    static int b(int rgb) {
        return rgb & 0xFF;
    }

    @Test
    void colourMapIsWhiteAtZeroRedAbovePureBlueBelow() {
        assertThat(HeatmapRenderer.colour(0)).isEqualTo(HeatmapRenderer.ZERO.getRGB());
        assertThat(HeatmapRenderer.colour(1)).isEqualTo(HeatmapRenderer.POSITIVE.getRGB());
        assertThat(HeatmapRenderer.colour(-1)).isEqualTo(HeatmapRenderer.NEGATIVE.getRGB());
        assertThat(HeatmapRenderer.colour(7)).isEqualTo(HeatmapRenderer.colour(1));
        assertThat(HeatmapRenderer.colour(-7)).isEqualTo(HeatmapRenderer.colour(-1));
        for (double v = 0.1; v <= 1.0; v += 0.1) {
            int pos = HeatmapRenderer.colour(v);
            int neg = HeatmapRenderer.colour(-v);
            assertThat(r(pos)).as("red above 0 at %s", v).isGreaterThan(b(pos));
            assertThat(b(neg)).as("blue below 0 at %s", v).isGreaterThan(r(neg));
        }
    }

    @Test
    void colourMovesAwayFromWhiteAsTheMagnitudeGrows() {
        int previousPos = 0;
        int previousNeg = 0;
        for (int i = 1; i <= 10; i++) {
            double v = i / 10.0;
            int pos = distanceFromWhite(HeatmapRenderer.colour(v));
            int neg = distanceFromWhite(HeatmapRenderer.colour(-v));
            assertThat(pos).isGreaterThanOrEqualTo(previousPos);
            assertThat(neg).isGreaterThanOrEqualTo(previousNeg);
            previousPos = pos;
            previousNeg = neg;
        }
    }

    @Test
    void zeroAttributionLeavesTheImageAndFullAttributionShowsTheMapColour() {
        assertThat(HeatmapRenderer.overlay(200, 0)).isEqualTo(0xFFC8C8C8);
        assertThat(HeatmapRenderer.overlay(0, 1)).isEqualTo(HeatmapRenderer.POSITIVE.getRGB());
        assertThat(HeatmapRenderer.overlay(0, -1)).isEqualTo(HeatmapRenderer.NEGATIVE.getRGB());
        // the colour bar shows the overlay over white
        assertThat(HeatmapRenderer.overlay(247, 0.5) & 0xFFFFFF).isEqualTo(HeatmapRenderer.colour(0.5) & 0xFFFFFF);
        assertThat(HeatmapRenderer.overlay(247, -0.3) & 0xFFFFFF).isEqualTo(HeatmapRenderer.colour(-0.3) & 0xFFFFFF);
        // a small attribution on the black background stays dark: tinted, not lightened to grey
        int faint = HeatmapRenderer.overlay(0, 0.1);
        assertThat(r(faint)).isGreaterThan(g(faint)).isLessThan(30);
    }

    @Test
    void rendersUpscaledSymmetricMapWithAColourBar() throws Exception {
        byte[] pixels = new byte[Pixels.COUNT];
        float[] a = new float[Pixels.COUNT];
        a[0] = 2f;     // top-left: strongest positive
        a[27] = -2f;   // top-right: strongest negative, as strong: symmetric scale
        a[28] = 1f;    // second row, first pixel: half as strong
        pixels[783] = (byte) 255; // bottom-right: white, attribution 0
        int scale = 10;
        byte[] png = HeatmapRenderer.png(pixels, a, scale);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(HeatmapRenderer.width(scale)).isEqualTo(280 + 90);
        assertThat(img.getHeight()).isEqualTo(HeatmapRenderer.height(scale)).isEqualTo(280);
        int full = 0xFFFFFF;
        assertThat(img.getRGB(5, 5) & full).isEqualTo(HeatmapRenderer.POSITIVE.getRGB() & full);
        assertThat(img.getRGB(9, 9) & full).isEqualTo(HeatmapRenderer.POSITIVE.getRGB() & full); // nearest neighbour
        assertThat(img.getRGB(275, 5) & full).isEqualTo(HeatmapRenderer.NEGATIVE.getRGB() & full);
        assertThat(img.getRGB(5, 15) & full).isEqualTo(HeatmapRenderer.overlay(0, 0.5) & full);
        assertThat(img.getRGB(275, 275) & full).isEqualTo(0xFFFFFF);
        assertThat(img.getRGB(100, 100) & full).isEqualTo(0); // background, no attribution
        // colour bar: red at the top, blue at the bottom, white in the middle
        int barX = 280 + HeatmapRenderer.GAP + HeatmapRenderer.BAR_WIDTH / 2;
        assertThat(r(img.getRGB(barX, scale + 1))).isGreaterThan(b(img.getRGB(barX, scale + 1)));
        assertThat(b(img.getRGB(barX, 280 - scale - 1))).isGreaterThan(r(img.getRGB(barX, 280 - scale - 1)));
        assertThat(distanceFromWhite(img.getRGB(barX, 140))).isLessThan(30);
    }

    @Test
    void allZeroAttributionsGiveTheGreyImage() {
        byte[] pixels = new byte[Pixels.COUNT];
        pixels[0] = 100;
        BufferedImage img = HeatmapRenderer.render(pixels, new float[Pixels.COUNT], 4);
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x646464);
        assertThat(HeatmapRenderer.number(0)).isEqualTo("0");
        assertThat(HeatmapRenderer.number(0.012345)).isEqualTo("0.012");
    }

    @Test
    void refusesBadInput() {
        assertThatThrownBy(() -> HeatmapRenderer.render(new byte[10], new float[Pixels.COUNT], 10))
                .hasMessageContaining("784");
        assertThatThrownBy(() -> HeatmapRenderer.render(new byte[Pixels.COUNT], new float[3], 10))
                .hasMessageContaining("784 attributions");
        assertThatThrownBy(() -> HeatmapRenderer.render(new byte[Pixels.COUNT], new float[Pixels.COUNT], 100))
                .hasMessageContaining("scale");
    }

    private static int distanceFromWhite(int rgb) {
        return Math.abs(247 - r(rgb)) + Math.abs(247 - g(rgb)) + Math.abs(247 - b(rgb));
    }
}
