package dev.fmnist.trainer.data;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.LabelledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a trainer sees: the training and validation sets (docs/architecture.md, "Dataset"), a
 * stratified, seeded 90 / 10 split of the official 60,000 training images. Every choice a trainer
 * makes (early stopping, the grid search's cross-validation, the best epoch) is made on these.
 *
 * <p>The official 10,000 test images are not here and cannot be reached from here: they are the
 * evaluator's {@code evaluation.HeldOutTestSet}, which {@code TrainingService} hands to
 * {@code evaluation.Evaluator} once a model is trained. {@code TestSetIsolationTest} fails the build
 * when a trainer class (this package, {@code cnn}, {@code xgboost}, the {@code *ModelTrainer}s)
 * refers to the test set, the dataset loader or the test IDX files.
 */
public record TrainingData(LabelledImages train, LabelledImages validation) {

    public static final double VALIDATION_FRACTION = 0.1;

    /** The standard split of the official training images {@code pool} (54,000 / 6,000). */
    public static TrainingData of(LabelledImages pool, long seed) {
        return of(pool, seed, 0);
    }

    /**
     * The standard split of {@code pool}, the official training images; with {@code limit > 0} a
     * stratified subset of at most {@code limit} of them first, for quick runs.
     */
    public static TrainingData of(LabelledImages pool, long seed, int limit) {
        if (limit > 0) {
            pool = stratifiedSample(pool, limit, seed);
        }
        int[][] parts = stratifiedSplit(pool.labels(), VALIDATION_FRACTION, seed);
        return new TrainingData(pool.select(parts[0]), pool.select(parts[1]));
    }

    /**
     * The final fit's data (docs/training.md, "Refit"): the training and validation images together as
     * the training set and no validation set, for a model whose every choice, the number of epochs
     * included, was made on the validation split beforehand. The test set is still not here.
     */
    public TrainingData refit() {
        byte[] pixels = new byte[train.pixels().length + validation.pixels().length];
        System.arraycopy(train.pixels(), 0, pixels, 0, train.pixels().length);
        System.arraycopy(validation.pixels(), 0, pixels, train.pixels().length, validation.pixels().length);
        byte[] labels = new byte[train.size() + validation.size()];
        System.arraycopy(train.labels(), 0, labels, 0, train.size());
        System.arraycopy(validation.labels(), 0, labels, train.size(), validation.size());
        return new TrainingData(new LabelledImages(pixels, labels), validation.head(0));
    }

    /** Whether there is a validation set: false for {@link #refit()}'s data. */
    public boolean hasValidation() {
        return validation.size() > 0;
    }

    /** Indices of the training part and the held-out part, each class split in the same proportion. */
    static int[][] stratifiedSplit(byte[] labels, double heldOutFraction, long seed) {
        List<List<Integer>> byClass = byClass(labels);
        Random random = new Random(seed);
        List<Integer> kept = new ArrayList<>();
        List<Integer> heldOut = new ArrayList<>();
        for (List<Integer> indices : byClass) {
            java.util.Collections.shuffle(indices, random);
            int n = (int) Math.round(indices.size() * heldOutFraction);
            heldOut.addAll(indices.subList(0, n));
            kept.addAll(indices.subList(n, indices.size()));
        }
        // shuffle across classes so that consumers reading in order see mixed classes
        java.util.Collections.shuffle(kept, random);
        java.util.Collections.shuffle(heldOut, random);
        return new int[][] {toArray(kept), toArray(heldOut)};
    }

    /** At most {@code n} of the images, each class in its original proportion (all of them when {@code n >= size}). */
    public static LabelledImages stratifiedSample(LabelledImages images, int n, long seed) {
        if (n >= images.size()) {
            return images;
        }
        int[][] parts = stratifiedSplit(images.labels(), (double) n / images.size(), seed);
        return images.select(parts[1]);
    }

    private static List<List<Integer>> byClass(byte[] labels) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < FashionClass.COUNT; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        return byClass;
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
