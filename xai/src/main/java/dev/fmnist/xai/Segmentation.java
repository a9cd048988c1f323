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
     * This segmentation with its settings in a few characters, as {@link #parse} reads it ({@code grid4},
     * {@code slic50c0.5}): what the benchmark tables and the stored explanations call it.
     */
    default String name() {
        return toString();
    }

    /**
     * The segmentation of a {@link #name()}: {@code gridN} (cells of N x N pixels), {@code slicN} (about N
     * superpixels of the default compactness), {@code slicNcC} (compactness C) or {@code qsKdDrR} (quickshift of
     * kernel size K, max distance D, ratio R).
     */
    static Segmentation parse(String name) {
        String s = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("grid")) {
                return new GridSegmentation(Integer.parseInt(s.substring(4)));
            }
            if (s.startsWith("qs")) {
                String[] kernel = s.substring(2).split("d", 2);
                String[] distance = kernel[1].split("r", 2);
                return new QuickshiftSegmentation(Double.parseDouble(kernel[0]), Double.parseDouble(distance[0]),
                        Double.parseDouble(distance[1]));
            }
            if (s.startsWith("slic")) {
                String[] parts = s.substring(4).split("c", 2);
                return new SlicSegmentation(Integer.parseInt(parts[0]),
                        parts.length == 2 ? Double.parseDouble(parts[1]) : SlicSegmentation.DEFAULT_COMPACTNESS);
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // answered below
        }
        throw new IllegalArgumentException("a segmentation is gridN, slicN, slicNcC or qsKdDrR (e.g. grid4, slic50c0.5, "
                + "qs1d10r0.2), got '" + name + "'");
    }

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
