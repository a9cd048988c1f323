package dev.fmnist.trainer.evaluation;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.report.ReportWriter;
import java.util.List;

/**
 * The official 10,000 test images, held out from training: only the evaluator reads them. Training
 * code receives a {@link TrainingData} (train + validation) and never this type;
 * {@code TrainingService} hands it to {@link Evaluator#test} once per trained model, after training.
 * The images themselves are package-private: outside this package the test set can be scored
 * ({@link Evaluator}) and drawn in a registered version's report ({@link #reportData}), not read.
 * {@code TestSetIsolationTest} checks that no trainer class refers to this type.
 */
public final class HeldOutTestSet {
    private final LabelledImages images;

    private HeldOutTestSet(LabelledImages images) {
        this.images = images;
    }

    /**
     * The held-out set of the official test images {@code test}; with {@code limit > 0} (a quick run
     * on {@code limit} training images) a stratified {@code limit / 6} of them, as the training split shrinks.
     */
    public static HeldOutTestSet of(LabelledImages test, long seed, int limit) {
        return new HeldOutTestSet(limit > 0
                ? TrainingData.stratifiedSample(test, Math.max(FashionClass.COUNT, limit / 6), seed + 1) : test);
    }

    /** How many test images: safe to show, it says nothing about them. */
    public int size() {
        return images.size();
    }

    LabelledImages images() {
        return images;
    }

    /**
     * A registered version's report data, with these test images as its class distribution, samples
     * and embeddings: drawn after training, for people, never for a choice.
     */
    public ReportWriter.ReportData reportData(LabelledImages train, List<Evaluation> evaluations, List<EpochMetrics> epochs,
                                              float[] importance, String importanceTitle, int samplesPerClass,
                                              int embeddingImages, int embeddingThreads, long seed) {
        return new ReportWriter.ReportData(train, images, evaluations, epochs, importance, importanceTitle,
                samplesPerClass, embeddingImages, embeddingThreads, seed);
    }
}
