package dev.fmnist.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {

    final ImagePreprocessor preprocessor = new ImagePreprocessor();

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    /** A 300x200 RGB photo: a dark navy bag-like box, off-centre, on white. */
    static BufferedImage darkObjectOnWhite() {
        BufferedImage photo = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = photo.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 300, 200);
        g.setColor(new Color(20, 30, 60));
        g.fillRect(40, 30, 120, 150); // object in the left part of the frame
        g.dispose();
        return photo;
    }

    @Test
    void darkObjectOnWhiteBecomesABrightCentredObjectOnBlack() throws IOException {
        for (String format : new String[] {"png", "jpg"}) {
            byte[] px = preprocessor.preprocess(encode(darkObjectOnWhite(), format));

            assertThat(px).hasSize(784);
            // black background in every corner
            for (int idx : new int[] {0, 27, 27 * 28, 783}) {
                assertThat(px[idx] & 0xFF).as(format + " corner " + idx).isLessThan(20);
            }
            // bright object in the middle
            assertThat(px[14 * 28 + 14] & 0xFF).as(format + " centre").isGreaterThan(200);
            // the object is centred: its bright columns are symmetric around the middle
            int left = 28, right = -1, top = 28, bottom = -1;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    if ((px[y * 28 + x] & 0xFF) > 128) {
                        left = Math.min(left, x);
                        right = Math.max(right, x);
                        top = Math.min(top, y);
                        bottom = Math.max(bottom, y);
                    }
                }
            }
            assertThat(top).as(format + " top").isLessThanOrEqualTo(1); // the longest side fills the frame
            assertThat(bottom).as(format + " bottom").isGreaterThanOrEqualTo(26);
            assertThat(Math.abs(left - (27 - right))).as(format + " horizontal centring").isLessThanOrEqualTo(1);
            assertThat(right - left).as(format + " aspect kept").isBetween(19, 24); // 120/150 * 28 = 22.4
        }
    }

    @Test
    void lightObjectOnBlackIsNotInverted() throws IOException {
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(10, 10, 36, 36);
        g.dispose();

        byte[] px = preprocessor.preprocess(encode(img, "png"));
        assertThat(px[0]).isZero();
        assertThat(px[14 * 28 + 14] & 0xFF).isGreaterThan(240);
    }

    @Test
    void emptyInputIsRejected() {
        assertThatThrownBy(() -> preprocessor.preprocess(new byte[0]))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void bytesThatAreNoImageAreRejected() {
        assertThatThrownBy(() -> preprocessor.preprocess("hello, this is no picture".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("not an image");
    }

    @Test
    void truncatedPngIsRejected() throws IOException {
        byte[] png = encode(darkObjectOnWhite(), "png");
        byte[] cut = java.util.Arrays.copyOf(png, 60);
        assertThatThrownBy(() -> preprocessor.preprocess(cut))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("could not be decoded");
    }

    @Test
    void oversizedInputIsRejectedBeforeDecoding() throws IOException {
        ImagePreprocessor small = new ImagePreprocessor(1000, ImagePreprocessor.DEFAULT_MAX_PIXELS);
        byte[] png = encode(darkObjectOnWhite(), "png");
        assertThat(png.length).isGreaterThan(1000);
        assertThatThrownBy(() -> small.preprocess(png))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("more than the limit of 1000");
    }

    @Test
    void enormousDeclaredDimensionsAreRejectedWithoutAllocating() throws IOException {
        // a valid PNG header that declares 100000 x 100000 pixels, with no pixel data behind it
        byte[] bomb = pngHeader(100_000, 100_000);
        assertThatThrownBy(() -> preprocessor.preprocess(bomb))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("100000x100000");
    }

    @Test
    void largePhotoIsDecodedSubsampledAndStillCorrect() throws IOException {
        BufferedImage big = new BufferedImage(4000, 3000, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = big.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 4000, 3000);
        g.setColor(Color.BLACK);
        g.fillRect(1500, 500, 1000, 2000);
        g.dispose();

        byte[] px = preprocessor.preprocess(encode(big, "jpg"));
        assertThat(px[0] & 0xFF).isLessThan(20);
        assertThat(px[14 * 28 + 14] & 0xFF).isGreaterThan(200);
    }

    static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.writeBytes("IHDR");
        c.writeInt(width);
        c.writeInt(height);
        c.writeByte(8); // bit depth
        c.writeByte(2); // RGB
        c.writeByte(0);
        c.writeByte(0);
        c.writeByte(0);
        byte[] data = chunk.toByteArray();
        out.writeInt(data.length - 4);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(data);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
