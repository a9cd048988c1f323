package dev.fmnist.trainer.evaluation;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.LabelledImages;

/**
 * Accuracy, per-class accuracy (recall per true class, as in the paper's table) and the
 * confusion matrix {@code [true][predicted]} of one model on one split.
 */
public record Evaluation(String split, int images, double accuracy, double[] perClassAccuracy, int[][] confusionMatrix) {

    public static Evaluation of(String split, LabelledImages data, int[] predicted) {
        return of(split, data.labels(), predicted);
    }

    public static Evaluation of(String split, byte[] labels, int[] predicted) {
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predicted.length + " predictions");
        }
        int k = FashionClass.COUNT;
        int[][] confusion = new int[k][k];
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            confusion[labels[i]][predicted[i]]++;
            if (labels[i] == predicted[i]) {
                correct++;
            }
        }
        double[] perClass = new double[k];
        for (int c = 0; c < k; c++) {
            int total = 0;
            for (int p = 0; p < k; p++) {
                total += confusion[c][p];
            }
            perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return new Evaluation(split, labels.length, labels.length == 0 ? Double.NaN : (double) correct / labels.length,
                perClass, confusion);
    }

    /** Index of the largest value of each row of a row-major {@code [n][10]} score matrix. */
    public static int[] argmax(float[] scores, int n) {
        int k = FashionClass.COUNT;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (scores[i * k + c] > scores[i * k + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** The paper's per-class table: one line per class with its accuracy in percent. */
    public String perClassTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-12s %8s%n", "class", "accuracy"));
        for (FashionClass c : FashionClass.values()) {
            sb.append(String.format("%-12s %7.1f%%%n", c.displayName(), 100 * perClassAccuracy[c.label()]));
        }
        sb.append(String.format("%-12s %7.2f%%%n", "all", 100 * accuracy));
        return sb.toString();
    }
}
