package dev.fmnist.xai;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * Agreement between the methods that explained the same prediction: LIME, KernelSHAP and TreeSHAP
 * weigh the same segments of the image, so their weight vectors can be ranked against each other.
 */
public final class MethodAgreements {
    private MethodAgreements() {
    }

    /**
     * Every pair of methods per model and version among {@code weights}, in the order given, whose
     * maps are in the same output space: a probability map and a log-odds map weigh different
     * quantities (the ranks of a map move when its space changes, the saturation of the softmax
     * flattens the probability), so such a pair is not compared. Pairs whose segmentations differ
     * in size are skipped too (no common segments to compare).
     */
    public static List<MethodAgreement> of(List<SegmentWeights> weights) {
        List<MethodAgreement> out = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            SegmentWeights a = weights.get(i);
            for (int j = i + 1; j < weights.size(); j++) {
                SegmentWeights b = weights.get(j);
                if (a.model().equals(b.model()) && a.version() == b.version()
                        && a.outputSpace() != null && a.outputSpace().equals(b.outputSpace())
                        && a.weights().length == b.weights().length && a.weights().length >= 2) {
                    out.add(new MethodAgreement(a.model(), a.version(), a.method(), b.method(),
                            spearman(a.weights(), b.weights()), a.weights().length, a.outputSpace()));
                }
            }
        }
        return out;
    }

    /** Spearman's rho with average ranks for ties; null when either side is constant. */
    public static Double spearman(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("weights of different lengths: " + a.length + " and " + b.length);
        }
        if (constant(a) || constant(b)) {
            return null;
        }
        double[] x = new double[a.length];
        double[] y = new double[b.length];
        for (int i = 0; i < a.length; i++) {
            x[i] = a[i];
            y[i] = b[i];
        }
        return new SpearmansCorrelation().correlation(x, y);
    }

    private static boolean constant(float[] v) {
        for (float f : v) {
            if (f != v[0]) {
                return false;
            }
        }
        return true;
    }
}
