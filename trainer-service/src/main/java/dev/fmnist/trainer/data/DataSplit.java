package dev.fmnist.trainer.data;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training, validation and test sets (docs/architecture.md, "Dataset"): the official 10,000 test
 * images are the test set; a stratified, seeded 10 % of the 60,000 training images is the
 * validation set.
 */
public record DataSplit(LabelledImages train, LabelledImages validation, LabelledImages test) {

    public static final double VALIDATION_FRACTION = 0.1;

    /** The standard split of the full dataset. */
    public static DataSplit of(FashionMnist data, long seed) {
        return of(data, seed, 0);
    }

    /**
     * The standard split; with {@code limit > 0} a stratified subset of at most {@code limit}
     * training images (before the validation split) and {@code limit / 6} test images, for quick runs.
     */
    public static DataSplit of(FashionMnist data, long seed, int limit) {
        LabelledImages pool = data.train();
        LabelledImages test = data.test();
        if (limit > 0) {
            pool = stratifiedSample(pool, limit, seed);
            test = stratifiedSample(test, Math.max(FashionClass.COUNT, limit / 6), seed + 1);
        }
        int[][] parts = stratifiedSplit(pool.labels(), VALIDATION_FRACTION, seed);
        return new DataSplit(pool.select(parts[0]), pool.select(parts[1]), test);
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
