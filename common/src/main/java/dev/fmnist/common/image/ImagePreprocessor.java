package dev.fmnist.common.image;

import dev.fmnist.common.Pixels;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns a photo of any size and colour model into a Fashion-MNIST style image: grayscale, light
 * object on a black background, cropped to the object, its longest side scaled to 28 pixels with
 * area averaging and centred on a 28x28 canvas (the way the dataset itself was made).
 *
 * <p>Decoding uses the JDK's ImageIO (PNG, JPEG, GIF, BMP). Limits are checked on the encoded size
 * and on the dimensions the header declares before any pixel is decoded, so hostile input gives an
 * {@link InvalidImageException}, never an OutOfMemoryError.
 */
public final class ImagePreprocessor {
    /** Default limit of the encoded size. */
    public static final int DEFAULT_MAX_BYTES = 25 * 1024 * 1024;
    /** Default limit of the declared width x height. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** Images larger than this are decoded subsampled: the result is 28x28 anyway. */
    private static final long DECODE_TARGET_PIXELS = 4_000_000L;

    private final int maxBytes;
    private final long maxPixels;

    public ImagePreprocessor() {
        this(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }

    public ImagePreprocessor(int maxBytes, long maxPixels) {
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    /** True when the bytes start like a PNG or JPEG file. */
    public static boolean looksEncoded(byte[] bytes) {
        return isPng(bytes) || isJpeg(bytes);
    }

    static boolean isPng(byte[] b) {
        return b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF;
    }

    /** Decodes and preprocesses an encoded picture into 784 pixels, row-major, 0 = background. */
    public byte[] preprocess(byte[] encoded) {
        return toFashionMnist(decode(encoded));
    }

    /** Decodes an encoded picture within the configured limits. */
    public BufferedImage decode(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            throw new InvalidImageException("the image is empty (0 bytes)");
        }
        if (encoded.length > maxBytes) {
            throw new InvalidImageException("the image has " + encoded.length + " bytes, more than the limit of "
                    + maxBytes);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidImageException("the data is not an image in a supported format (PNG or JPEG)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new InvalidImageException("the image declares invalid dimensions " + width + "x" + height);
                }
                if (width * height > maxPixels) {
                    throw new InvalidImageException("the image declares " + width + "x" + height + " pixels, more than the limit of "
                            + maxPixels + " pixels");
                }
                ImageReadParam param = reader.getDefaultReadParam();
                long pixels = width * height;
                if (pixels > DECODE_TARGET_PIXELS) {
                    int step = (int) Math.ceil(Math.sqrt((double) pixels / DECODE_TARGET_PIXELS));
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                if (image == null) {
                    throw new InvalidImageException("the image could not be decoded");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException("the image could not be decoded: " + e.getMessage(), e);
        }
    }

    /** Grayscale, inversion, crop, scaling and centring of a decoded picture. */
    public byte[] toFashionMnist(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] gray = grayscale(image);
        int background = borderMedian(gray, w, h);
        if (background > 127) {
            // Fashion-MNIST objects are light on black: invert pictures with a light background
            for (int i = 0; i < gray.length; i++) {
                gray[i] = 255 - gray[i];
            }
            background = 255 - background;
        }
        int max = 0;
        for (int v : gray) {
            max = Math.max(max, v);
        }
        int threshold = background + Math.max(16, (max - background) / 6);
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (gray[y * w + x] > threshold) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            // no object stands out: keep the whole picture
            x0 = 0;
            y0 = 0;
            x1 = w - 1;
            y1 = h - 1;
        }
        int cw = x1 - x0 + 1;
        int ch = y1 - y0 + 1;
        // the background becomes exactly 0 and the object spans the full range
        double gain = 255.0 / Math.max(1, max - background);
        BufferedImage crop = new BufferedImage(cw, ch, BufferedImage.TYPE_BYTE_GRAY);
        byte[] cropData = ((DataBufferByte) crop.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int v = (int) Math.round((gray[(y + y0) * w + x + x0] - background) * gain);
                cropData[y * cw + x] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        double scale = (double) Pixels.SIDE / Math.max(cw, ch);
        int tw = Math.max(1, (int) Math.round(cw * scale));
        int th = Math.max(1, (int) Math.round(ch * scale));
        BufferedImage out = new BufferedImage(Pixels.SIDE, Pixels.SIDE, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = out.createGraphics();
        try {
            int dx = (Pixels.SIDE - tw) / 2;
            int dy = (Pixels.SIDE - th) / 2;
            if (scale < 1) {
                // area averaging is a proper box filter for downscaling: no aliasing of fine texture
                Image scaled = crop.getScaledInstance(tw, th, Image.SCALE_AREA_AVERAGING);
                g.drawImage(scaled, dx, dy, null);
            } else {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(crop, dx, dy, tw, th, null);
            }
        } finally {
            g.dispose();
        }
        byte[] result = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        return Arrays.copyOf(result, Pixels.COUNT);
    }

    /** Luminance (ITU-R BT.601) of every pixel, transparent areas composited over white. */
    private static int[] grayscale(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] gray = new int[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int a = argb >>> 24;
                int r = (argb >> 16) & 0xFF;
                int gr = (argb >> 8) & 0xFF;
                int b = argb & 0xFF;
                double lum = 0.299 * r + 0.587 * gr + 0.114 * b;
                lum = (lum * a + 255.0 * (255 - a)) / 255.0;
                gray[y * w + x] = (int) Math.round(lum);
            }
        }
        return gray;
    }

    private static int borderMedian(int[] gray, int w, int h) {
        int[] hist = new int[256];
        int n = 0;
        for (int x = 0; x < w; x++) {
            hist[gray[x]]++;
            hist[gray[(h - 1) * w + x]]++;
            n += 2;
        }
        for (int y = 1; y < h - 1; y++) {
            hist[gray[y * w]]++;
            hist[gray[y * w + w - 1]]++;
            n += 2;
        }
        int seen = 0;
        for (int v = 0; v < 256; v++) {
            seen += hist[v];
            if (seen * 2 >= n) {
                return v;
            }
        }
        return 0;
    }
}
