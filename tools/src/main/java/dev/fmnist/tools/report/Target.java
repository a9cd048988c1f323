package dev.fmnist.tools.report;

/** A performance target from the issues: a bound a figure must reach ({@code >=}) or stay within ({@code <=}). */
public record Target(boolean atLeast, double bound, String unit) {

    public static Target atLeast(double bound, String unit) {
        return new Target(true, bound, unit);
    }

    public static Target atMost(double bound, String unit) {
        return new Target(false, bound, unit);
    }

    public boolean met(double value) {
        return !Double.isNaN(value) && (atLeast ? value >= bound : value <= bound);
    }

    /**
     * How far a value is from the bound, as a factor >= 1 when missed (2.0: half the throughput, or
     * twice the latency, that the target asks for); below 1 when met.
     */
    public double missFactor(double value) {
        if (Double.isNaN(value) || value <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        return atLeast ? bound / value : value / bound;
    }

    @Override
    public String toString() {
        return (atLeast ? ">= " : "<= ") + Figures.format(bound, unit) + (unit.isEmpty() ? "" : " " + unit);
    }
}
