package dev.fmnist.trainer.cnn;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.trainer.evaluation.Evaluation;

/**
 * The check that an ONNX export scores as the training engine does, run in the production training
 * path before a CNN version is registered: on {@link #IMAGES} validation images (training images for a
 * refit, which has none), the largest
 * difference of a class probability must be at most {@link #MAX_DIFFERENCE} and every predicted class
 * identical. A version whose export fails it is never registered: what is served is what was trained.
 */
public final class OnnxParity {
    /** Validation images compared (all of them when the validation split is smaller). */
    public static final int IMAGES = 1_000;
    /** The largest |p_onnx - p_engine| of any class probability of any image that is accepted. */
    public static final double MAX_DIFFERENCE = 1e-4;

    private OnnxParity() {
    }

    /** What one comparison found. */
    public record Result(int images, double maxDifference, int classesDiffering) {
        public boolean agrees() {
            return maxDifference <= MAX_DIFFERENCE && classesDiffering == 0;
        }
    }

    /** Compares the probabilities of two scorers' outputs, each {@code [n][10]} flat. */
    public static Result compare(float[] engine, float[] onnx, int n) {
        if (engine.length != n * FashionClass.COUNT || onnx.length != n * FashionClass.COUNT) {
            throw new IllegalArgumentException("expected " + n * FashionClass.COUNT + " probabilities from each, got "
                    + engine.length + " from the engine and " + onnx.length + " from ONNX Runtime");
        }
        double max = 0;
        for (int i = 0; i < engine.length; i++) {
            double d = Math.abs((double) onnx[i] - engine[i]);
            // NaN from a broken graph must fail the check, not slip past a comparison
            max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
        }
        int[] a = Evaluation.argmax(engine, n);
        int[] b = Evaluation.argmax(onnx, n);
        int differing = 0;
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                differing++;
            }
        }
        return new Result(n, max, differing);
    }

    /**
     * Scores the first {@link #IMAGES} of {@code validation} with the training engine and with
     * {@code exported}, and throws {@link OnnxParityException} unless they agree.
     */
    public static Result check(String model, CnnWeights weights, ModelScorer exported, LabelledImages validation) {
        LabelledImages images = validation.size() > IMAGES ? validation.head(IMAGES) : validation;
        float[] input = images.modelInput();
        Result result = compare(DjlCnnTrainer.predict(weights, input, images.size()),
                exported.score(input, images.size()), images.size());
        if (!result.agrees()) {
            throw new OnnxParityException(model, result);
        }
        return result;
    }

    /** The export of a trained CNN disagrees with the training engine: the version is not registered. */
    public static final class OnnxParityException extends IllegalStateException {
        private final transient Result result;

        OnnxParityException(String model, Result result) {
            super(String.format(java.util.Locale.ROOT, "%s: the ONNX export disagrees with the training engine on %,d"
                            + " validation images: max |p_onnx - p_engine| = %.3g (limit %.0e), %d predicted classes"
                            + " differ (limit 0); the version is not registered", model, result.images(),
                    result.maxDifference(), MAX_DIFFERENCE, result.classesDiffering()));
            this.result = result;
        }

        public Result result() {
            return result;
        }
    }
}
