package dev.fmnist.explainer.domain;

/**
 * Accuracy of a model version on the labelled traffic stored so far: overall, and per true class
 * ({@code perClass[k]} null when no image of class k arrived).
 */
public record LiveAccuracy(long labelled, long correct, Double accuracy, long[] perClassTotal, Double[] perClass) {

    public static LiveAccuracy of(long[] total, long[] correct) {
        long labelled = 0;
        long right = 0;
        Double[] perClass = new Double[total.length];
        for (int k = 0; k < total.length; k++) {
            labelled += total[k];
            right += correct[k];
            perClass[k] = total[k] == 0 ? null : (double) correct[k] / total[k];
        }
        return new LiveAccuracy(labelled, right, labelled == 0 ? null : (double) right / labelled, total.clone(),
                perClass);
    }
}
