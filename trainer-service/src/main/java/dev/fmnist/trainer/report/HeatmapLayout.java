package dev.fmnist.trainer.report;

import java.awt.Rectangle;

/** A heatmap's cells and its colour bar (high values at the top, low at the bottom) in a written PNG. */
public record HeatmapLayout(GridLayout grid, Rectangle colorBar) {
}
