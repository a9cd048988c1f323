package dev.fmnist.trainer.evaluation;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.scoring.ModelScorer;

/**
 * Scores a trained model on the splits: the training and validation sets (which training saw) and
 * the held-out test set, the only place where the test images are read. Called by
 * {@code TrainingService} after training, once per model.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /** The model's evaluation on {@code images}, reported as split {@code name} ("train", "validation"). */
    public static Evaluation evaluate(ModelScorer scorer, String name, LabelledImages images) {
        float[] probabilities = scorer.score(images.modelInput(), images.size());
        return Evaluation.of(name, images, Evaluation.argmax(probabilities, images.size()));
    }

    /** The model's evaluation on the held-out test set (split "test"). */
    public static Evaluation test(ModelScorer scorer, HeldOutTestSet testSet) {
        return evaluate(scorer, "test", testSet.images());
    }

    /** The test evaluation and the scoring throughput (images/s), for {@code trainer evaluate}. */
    public static Timed testTimed(ModelScorer scorer, HeldOutTestSet testSet) {
        long t0 = System.nanoTime();
        Evaluation e = test(scorer, testSet);
        return new Timed(e, testSet.size() / ((System.nanoTime() - t0) / 1e9));
    }

    public record Timed(Evaluation evaluation, double imagesPerSecond) {
    }
}
