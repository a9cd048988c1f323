package dev.fmnist.xai;

import dev.fmnist.common.Pixels;

/**
 * Square cells of {@code cell} x {@code cell} pixels, numbered row by row. The default 4 tiles the
 * 28x28 image into 49 cells of 16 pixels; a size that does not divide 28 leaves narrower cells on
 * the right and bottom edges.
 *
 * @param cell side of a cell in pixels, 1 to 28
 */
public record GridSegmentation(int cell) implements Segmentation {
    public static final int DEFAULT_CELL = 4;

    public GridSegmentation {
        if (cell < 1 || cell > Pixels.SIDE) {
            throw new IllegalArgumentException("grid cell size must be 1 to " + Pixels.SIDE + " pixels, got " + cell);
        }
    }

    /** Cells per row (and per column). */
    public int cellsPerSide() {
        return (Pixels.SIDE + cell - 1) / cell;
    }

    /** The number of segments, the same for every image. */
    public int segmentCount() {
        return cellsPerSide() * cellsPerSide();
    }

    /** {@code grid} and the cell side: {@code grid4}. */
    @Override
    public String name() {
        return "grid" + cell;
    }

    @Override
    public short[] segment(float[] image) {
        Explanations.requireImage(image);
        short[] ids = new short[Pixels.COUNT];
        int perSide = cellsPerSide();
        for (int y = 0; y < Pixels.SIDE; y++) {
            for (int x = 0; x < Pixels.SIDE; x++) {
                ids[y * Pixels.SIDE + x] = (short) ((y / cell) * perSide + x / cell);
            }
        }
        return ids;
    }
}
