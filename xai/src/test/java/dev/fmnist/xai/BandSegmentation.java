package dev.fmnist.xai;

import dev.fmnist.common.Pixels;

/** Horizontal bands of rows, a test segmentation with any small number of segments. */
record BandSegmentation(int bands) implements Segmentation {
    @Override
    public short[] segment(float[] image) {
        short[] ids = new short[Pixels.COUNT];
        for (int p = 0; p < Pixels.COUNT; p++) {
            ids[p] = (short) ((p / Pixels.SIDE) * bands / Pixels.SIDE);
        }
        return ids;
    }
}
