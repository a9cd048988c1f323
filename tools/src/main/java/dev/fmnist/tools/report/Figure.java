package dev.fmnist.tools.report;

/**
 * One measured figure of the benchmark report.
 *
 * @param target null when the issues set none for it
 * @param note   where the figure comes from when that is not this run's measurement, or what it depends on
 */
public record Figure(String section, String name, double value, String unit, Target target, String note) {

    public Figure(String section, String name, double value, String unit) {
        this(section, name, value, unit, null, null);
    }

    public Figure withTarget(Target t) {
        return new Figure(section, name, value, unit, t, note);
    }

    public Figure withNote(String n) {
        return new Figure(section, name, value, unit, target, n);
    }

    /** Null without a target. */
    public Boolean met() {
        return target == null ? null : target.met(value);
    }
}
