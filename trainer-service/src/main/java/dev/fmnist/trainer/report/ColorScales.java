package dev.fmnist.trainer.report;

import java.awt.Color;

/**
 * Colour scales of the report plots: matplotlib's viridis (importance maps), Blues (confusion
 * matrix) and tab10 (one colour per class), as linear interpolation between their published stops.
 */
public final class ColorScales {

    /** matplotlib's tab10, indexed by class label. */
    public static final Color[] CLASS_COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };

    /** First and second series colour of the line and bar charts (train, validation or test). */
    public static final Color SERIES_1 = CLASS_COLORS[0];
    public static final Color SERIES_2 = CLASS_COLORS[1];

    private static final int[] VIRIDIS = {
        0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725,
    };
    private static final int[] BLUES = {
        0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b,
    };

    private ColorScales() {
    }

    /** Viridis at {@code t} in [0, 1] (clamped; NaN gives the low end): dark purple to yellow. */
    public static Color viridis(double t) {
        return interpolate(VIRIDIS, t);
    }

    /** Blues at {@code t} in [0, 1] (clamped; NaN gives the low end): near white to dark blue. */
    public static Color blues(double t) {
        return interpolate(BLUES, t);
    }

    /** Relative luminance (0 black .. 1 white) of an sRGB colour, for picking a readable text colour. */
    public static double luminance(Color c) {
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255.0;
    }

    private static Color interpolate(int[] stops, double t) {
        double u = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        double pos = u * (stops.length - 1);
        int i = Math.min((int) pos, stops.length - 2);
        double f = pos - i;
        int a = stops[i];
        int b = stops[i + 1];
        return new Color(mix(a >> 16, b >> 16, f), mix(a >> 8, b >> 8, f), mix(a, b, f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xFF) * (1 - f) + (b & 0xFF) * f);
    }
}
