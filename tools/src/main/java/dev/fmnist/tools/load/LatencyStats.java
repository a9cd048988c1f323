package dev.fmnist.tools.load;

import java.util.Arrays;

/** Percentiles of a set of latencies, by the nearest-rank method (no interpolation, no histogram error). */
public record LatencyStats(int count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

    /** @param nanos latencies in nanoseconds; the array is sorted in place */
    public static LatencyStats ofNanos(long[] nanos, int count) {
        if (count == 0) {
            return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        Arrays.sort(nanos, 0, count);
        return new LatencyStats(count, rank(nanos, count, 50), rank(nanos, count, 95), rank(nanos, count, 99),
                nanos[count - 1] / 1e6);
    }

    /** The smallest value with at least {@code percent} % of the values at or below it, in ms. */
    static double rank(long[] sorted, int count, double percent) {
        int index = (int) Math.ceil(percent / 100.0 * count) - 1;
        return sorted[Math.max(0, Math.min(count - 1, index))] / 1e6;
    }
}
