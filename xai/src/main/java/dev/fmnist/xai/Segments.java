package dev.fmnist.xai;

import dev.fmnist.common.Pixels;

/**
 * The segments of one image, checked: 784 ids, contiguous from 0 to {@code count - 1}, each with
 * at least one pixel.
 *
 * @param ids   segment id of each pixel, row-major
 * @param count number of segments
 * @param sizes pixels of each segment
 */
public record Segments(short[] ids, int count, int[] sizes) {

    /** Checks the ids a {@link Segmentation} gave and counts the pixels of each segment. */
    public static Segments of(short[] ids) {
        if (ids == null || ids.length != Pixels.COUNT) {
            throw new IllegalArgumentException("a segmentation gives " + Pixels.COUNT + " segment ids, got "
                    + (ids == null ? "none" : ids.length));
        }
        int max = -1;
        for (int p = 0; p < ids.length; p++) {
            if (ids[p] < 0) {
                throw new IllegalArgumentException("pixel " + p + " has the negative segment id " + ids[p]);
            }
            max = Math.max(max, ids[p]);
        }
        int[] sizes = new int[max + 1];
        for (short id : ids) {
            sizes[id]++;
        }
        for (int s = 0; s < sizes.length; s++) {
            if (sizes[s] == 0) {
                throw new IllegalArgumentException("segment ids must be contiguous from 0, but segment " + s
                        + " of 0.." + max + " has no pixel");
            }
        }
        return new Segments(ids, sizes.length, sizes);
    }

    /** Segments {@code image} with {@code segmentation} and checks the result. */
    public static Segments of(Segmentation segmentation, float[] image) {
        return of(segmentation.segment(image));
    }

    /**
     * Per-pixel attributions of per-segment weights: each segment's weight spread evenly over its
     * pixels, so a map's pixels sum to the segment weights whatever the segment sizes.
     */
    public float[] spread(double[] segmentWeights) {
        requireOnePerSegment(segmentWeights.length);
        float[] pixels = new float[Pixels.COUNT];
        for (int p = 0; p < Pixels.COUNT; p++) {
            pixels[p] = (float) (segmentWeights[ids[p]] / sizes[ids[p]]);
        }
        return pixels;
    }

    /** Per-segment sums of per-pixel values (TreeSHAP's pixel contributions). */
    public double[] sum(double[] pixelValues) {
        if (pixelValues.length != Pixels.COUNT) {
            throw new IllegalArgumentException("expected " + Pixels.COUNT + " pixel values, got " + pixelValues.length);
        }
        double[] sums = new double[count];
        for (int p = 0; p < Pixels.COUNT; p++) {
            sums[ids[p]] += pixelValues[p];
        }
        return sums;
    }

    /**
     * Which segments are null for {@code image}: every pixel of the segment already equals
     * {@code fill}, so hiding it changes nothing.
     */
    public boolean[] nullSegments(float[] image, float fill) {
        if (image.length != Pixels.COUNT) {
            throw new IllegalArgumentException("expected " + Pixels.COUNT + " pixels, got " + image.length);
        }
        boolean[] isNull = new boolean[count];
        java.util.Arrays.fill(isNull, true);
        for (int p = 0; p < Pixels.COUNT; p++) {
            if (image[p] != fill) {
                isNull[ids[p]] = false;
            }
        }
        return isNull;
    }

    /**
     * Writes {@code image} with the segments that {@code visible} marks false set to the
     * background value 0 into {@code out} at {@code offset}.
     */
    public void mask(float[] image, boolean[] visible, float[] out, int offset) {
        requireOnePerSegment(visible.length);
        for (int p = 0; p < Pixels.COUNT; p++) {
            out[offset + p] = visible[ids[p]] ? image[p] : 0f;
        }
    }

    private void requireOnePerSegment(int length) {
        if (length != count) {
            throw new IllegalArgumentException("expected one value per segment (" + count + "), got " + length);
        }
    }
}
