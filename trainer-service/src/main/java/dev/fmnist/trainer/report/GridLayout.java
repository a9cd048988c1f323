package dev.fmnist.trainer.report;

import java.awt.Rectangle;

/**
 * Where the cells of an image grid or heatmap lie in a written PNG: {@code rows x cols} cells of
 * {@code cellWidth x cellHeight} pixels starting at ({@code left}, {@code top}), {@code gap}
 * pixels apart. Returned by the Java2D plots so that callers (and tests) can find the cells.
 */
public record GridLayout(int left, int top, int cellWidth, int cellHeight, int gap, int rows, int cols) {

    /** Left edge of column {@code col}. */
    public int x(int col) {
        return left + col * (cellWidth + gap);
    }

    /** Top edge of row {@code row}. */
    public int y(int row) {
        return top + row * (cellHeight + gap);
    }

    public Rectangle cell(int row, int col) {
        return new Rectangle(x(col), y(row), cellWidth, cellHeight);
    }

    /** The rectangle covered by all cells. */
    public Rectangle bounds() {
        return new Rectangle(left, top, cols * cellWidth + (cols - 1) * gap, rows * cellHeight + (rows - 1) * gap);
    }
}
