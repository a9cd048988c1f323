package dev.fmnist.common.data;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import java.util.Arrays;

/**
 * A set of 28x28 images with their labels, stored flat ({@code count * 784} pixels) so training
 * and scoring loops copy without per-image objects.
 */
public record LabelledImages(byte[] pixels, byte[] labels) {

    public LabelledImages {
        if (pixels.length != labels.length * Pixels.COUNT) {
            throw new IllegalArgumentException(labels.length + " labels need " + labels.length * Pixels.COUNT
                    + " pixels, got " + pixels.length);
        }
    }

    /** The input every model of the platform takes: {@code pixel / 255}, row-major {@code [n,1,28,28]} flat. */
    public float[] modelInput() {
        float[] out = new float[pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels[i] & 0xFF) / 255f;
        }
        return out;
    }

    public int size() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index];
    }

    /** A copy of one image's 784 pixels. */
    public byte[] image(int index) {
        return Arrays.copyOfRange(pixels, index * Pixels.COUNT, (index + 1) * Pixels.COUNT);
    }

    /** Images per class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[FashionClass.COUNT];
        for (byte label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The images at the given indices, in that order. */
    public LabelledImages select(int[] indices) {
        byte[] px = new byte[indices.length * Pixels.COUNT];
        byte[] lb = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * Pixels.COUNT, px, i * Pixels.COUNT, Pixels.COUNT);
            lb[i] = labels[indices[i]];
        }
        return new LabelledImages(px, lb);
    }

    /** The first {@code n} images (all of them when there are fewer). */
    public LabelledImages head(int n) {
        int k = Math.min(n, size());
        return new LabelledImages(Arrays.copyOf(pixels, k * Pixels.COUNT), Arrays.copyOf(labels, k));
    }
}
