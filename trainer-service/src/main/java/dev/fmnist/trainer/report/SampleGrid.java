package dev.fmnist.trainer.report;

/**
 * A written sample grid: row {@code r} shows class {@code r}; {@code indices[r][k]} is the index
 * (in the source {@link dev.fmnist.common.data.LabelledImages}) of the image in column {@code k},
 * drawn at {@code scale} screen pixels per image pixel.
 */
public record SampleGrid(GridLayout layout, int scale, int[][] indices) {
}
