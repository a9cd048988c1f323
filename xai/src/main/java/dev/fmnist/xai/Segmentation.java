package dev.fmnist.xai;

import java.util.Locale;

/**
 * Splits a 28x28 image into segments, the players of LIME and KernelSHAP: a segment is hidden by
 * setting its pixels to the background value 0. Implementations are deterministic (the same image
 * gives the same segments) and thread-safe.
 */
public interface Segmentation {

    /**
     * Segment ids of the 784 pixels of {@code image} (values {@code pixel / 255}, row-major): every
     * pixel has one, and the ids are contiguous from 0.
     */
    short[] segment(float[] image);

    /**
     * The segmentation a configuration names: {@code grid} (cells of {@code gridCell} pixels) or
     * {@code slic} ({@code slicSegments} superpixels of the given compactness).
     */
    static Segmentation of(String kind, int gridCell, int slicSegments, double slicCompactness) {
        String k = kind == null ? "" : kind.trim().toLowerCase(Locale.ROOT);
        return switch (k) {
            case "grid" -> new GridSegmentation(gridCell);
            case "slic" -> new SlicSegmentation(slicSegments, slicCompactness);
            default -> throw new IllegalArgumentException("segmentation must be 'grid' or 'slic', got '" + kind + "'");
        };
    }
}
