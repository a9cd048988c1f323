package dev.fmnist.trainer.report;

import java.awt.Rectangle;
import java.util.List;

/** The data areas (one per plot, top to bottom) of a chart written as PNG, in image pixels. */
public record ChartLayout(List<Rectangle> dataAreas) {
}
