package dev.fmnist.common.data;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import java.nio.file.Path;

/** The Fashion-MNIST dataset: the official 60,000 training and 10,000 test images. */
public record FashionMnist(LabelledImages train, LabelledImages test) {

    /** Loads the four IDX files from a folder, as found by {@link DatasetLocator}. */
    public static FashionMnist load(Path dir) {
        return new FashionMnist(
                loadSplit(dir, DatasetFile.TRAIN_IMAGES, DatasetFile.TRAIN_LABELS),
                loadSplit(dir, DatasetFile.TEST_IMAGES, DatasetFile.TEST_LABELS));
    }

    /**
     * The 10,000 test images alone, from a folder that may hold only the two {@code t10k} files: for
     * a scoring check on a machine that never trains (deploy/gpu/bundle.sh carries no training images).
     */
    public static LabelledImages loadTest(Path dir) {
        return loadSplit(dir, DatasetFile.TEST_IMAGES, DatasetFile.TEST_LABELS);
    }

    /** Locates the dataset with the default lookup order and loads it. */
    public static FashionMnist load() {
        return load(DatasetLocator.fromEnvironment().locate());
    }

    static LabelledImages loadSplit(Path dir, DatasetFile imagesFile, DatasetFile labelsFile) {
        Path imagesPath = dir.resolve(imagesFile.fileName());
        Path labelsPath = dir.resolve(labelsFile.fileName());
        IdxReader.Images images = IdxReader.readImages(imagesPath);
        if (images.rows() != Pixels.SIDE || images.cols() != Pixels.SIDE) {
            throw new IdxFormatException(imagesPath, "images are " + images.rows() + "x" + images.cols()
                    + ", Fashion-MNIST images are 28x28");
        }
        byte[] labels = IdxReader.readLabels(labelsPath);
        if (labels.length != images.count()) {
            throw new IdxFormatException(labelsPath, labels.length + " labels for " + images.count()
                    + " images in " + imagesPath.getFileName());
        }
        for (int i = 0; i < labels.length; i++) {
            if (!FashionClass.isValidLabel(labels[i])) {
                throw new IdxFormatException(labelsPath, "label " + (labels[i] & 0xFF) + " at index " + i
                        + " is outside 0.." + (FashionClass.COUNT - 1));
            }
        }
        return new LabelledImages(images.pixels(), labels);
    }
}
