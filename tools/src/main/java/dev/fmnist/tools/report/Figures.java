package dev.fmnist.tools.report;

import java.util.Locale;

/** Number formatting of the report: thousands separators for large figures, three significant digits for small ones. */
final class Figures {
    private Figures() {
    }

    /** Percentages (accuracies) keep two decimals, as the training report writes them. */
    static String format(double v, String unit) {
        return "%".equals(unit) && !Double.isNaN(v) ? String.format(Locale.ROOT, "%.2f", v) : format(v);
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
