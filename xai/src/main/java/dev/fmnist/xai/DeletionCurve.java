package dev.fmnist.xai;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The faithfulness figure every method stores: remove the segments in order of attribution, highest
 * first (setting them to 0), and record the explained class's output after each removal, starting
 * with none removed, in the explanation's {@link OutputSpace} (the probability, or the centred
 * log-probability: then the values and the area are not bounded by [0, 1] and can be negative).
 * A faithful map removes what the model relies on first, so the curve drops early and its area is
 * small; areas compare between explanations of the same space only.
 *
 * @param values the output after removing 0, 1, ..., k non-null segments (k + 1 values)
 * @param area   area under {@code values} over x = removed fraction in [0, 1], by trapezoids
 */
public record DeletionCurve(float[] values, double area) {

    /**
     * Removes the non-null segments of {@code scorer}'s image in order of {@code segmentWeights} and
     * scores each step; null segments (all pixels at the fill value) are skipped, as removing them
     * changes nothing: k + 1 points for k non-null segments.
     */
    static DeletionCurve measure(MaskedScorer scorer, double[] segmentWeights) {
        int m = scorer.segments().count();
        if (segmentWeights.length != m) {
            throw new IllegalArgumentException("expected " + m + " segment weights, got " + segmentWeights.length);
        }
        int[] active = scorer.activeSegments();
        int k = active.length;
        double[] playerWeights = new double[k];
        for (int i = 0; i < k; i++) {
            playerWeights[i] = segmentWeights[active[i]];
        }
        int[] order = removalOrder(playerWeights);
        boolean[][] masks = new boolean[k + 1][];
        boolean[] visible = scorer.uniformMask(true);
        masks[0] = visible.clone();
        for (int step = 1; step <= k; step++) {
            visible[order[step - 1]] = false;
            masks[step] = visible.clone();
        }
        double[] outputs = scorer.targetValues(masks);
        float[] values = new float[k + 1];
        for (int i = 0; i <= k; i++) {
            values[i] = (float) outputs[i];
        }
        return new DeletionCurve(values, area(values));
    }

    /** Segment indices by descending weight; equal weights in index order, so the curve is deterministic. */
    static int[] removalOrder(double[] segmentWeights) {
        Comparator<Integer> highestFirst = (a, b) -> Double.compare(segmentWeights[b], segmentWeights[a]);
        return IntStream.range(0, segmentWeights.length).boxed()
                .sorted(highestFirst.thenComparingInt(s -> s))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Trapezoid area of a curve of M + 1 points spaced 1/M apart over [0, 1]; one point is its own value. */
    public static double area(float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("a deletion curve has at least one point");
        }
        if (values.length == 1) {
            return values[0];
        }
        double sum = 0;
        for (int i = 1; i < values.length; i++) {
            sum += (values[i - 1] + (double) values[i]) / 2;
        }
        return sum / (values.length - 1);
    }

    @Override
    public String toString() {
        return "DeletionCurve[area=" + area + ", values=" + Arrays.toString(values) + "]";
    }
}
