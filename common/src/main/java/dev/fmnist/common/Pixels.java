package dev.fmnist.common;

import java.util.Base64;

/**
 * The one image representation every module shares: 28x28 uint8 pixels, row-major, 0 = background.
 * Model input is float32 {@code pixel / 255} for every model, so attribution maps are comparable.
 */
public final class Pixels {
    public static final int SIDE = 28;
    public static final int COUNT = SIDE * SIDE;

    private Pixels() {
    }

    /** Writes {@code pixel / 255} of one image into {@code out} starting at {@code offset}. */
    public static void toModelInput(byte[] pixels, float[] out, int offset) {
        requireImage(pixels);
        toModelInput(pixels, 0, 1, out, offset);
    }

    /**
     * Writes {@code pixel / 255} of {@code images} images that lie one after the other in {@code pixels} from
     * {@code from} (a binary tensor's bytes) into {@code out} starting at {@code offset}, without a copy per image.
     */
    public static void toModelInput(byte[] pixels, int from, int images, float[] out, int offset) {
        int count = images * COUNT;
        if (images < 0 || from < 0 || pixels.length - from < count || out.length - offset < count) {
            throw new IllegalArgumentException(images + " images of " + COUNT + " pixels do not fit "
                    + (pixels.length - from) + " bytes and " + (out.length - offset) + " floats");
        }
        for (int i = 0; i < count; i++) {
            out[offset + i] = (pixels[from + i] & 0xFF) / 255f;
        }
    }

    public static float[] toModelInput(byte[] pixels) {
        float[] out = new float[COUNT];
        toModelInput(pixels, out, 0);
        return out;
    }

    public static String toBase64(byte[] pixels) {
        requireImage(pixels);
        return Base64.getEncoder().encodeToString(pixels);
    }

    /** Decodes base64 of exactly 784 raw pixels. */
    public static byte[] fromBase64(String base64) {
        byte[] pixels = Base64.getDecoder().decode(base64);
        requireImage(pixels);
        return pixels;
    }

    public static void requireImage(byte[] pixels) {
        if (pixels == null || pixels.length != COUNT) {
            throw new IllegalArgumentException("an image has " + COUNT + " pixels (28x28), got "
                    + (pixels == null ? "none" : pixels.length));
        }
    }
}
