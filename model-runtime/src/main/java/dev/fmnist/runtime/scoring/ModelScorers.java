package dev.fmnist.runtime.scoring;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.registry.StoredModel;

/** Opens a registry artifact as a {@link ModelScorer}, by its format. */
public final class ModelScorers {
    private ModelScorers() {
    }

    /** The artifact must already be verified (the registry reader checks its SHA-256). */
    public static ModelScorer open(StoredModel model, ScorerOptions options) {
        return open(model.name(), model.version(), model.format(), model.artifact(), options);
    }

    public static ModelScorer open(String name, int version, String format, byte[] artifact, ScorerOptions options) {
        return switch (format) {
            case ModelPublished.FORMAT_ONNX -> new OnnxCnnScorer(name, version, artifact, options);
            case ModelPublished.FORMAT_XGBOOST_UBJ -> new XgboostScorer(name, version, artifact, options);
            default -> throw new IllegalArgumentException("cannot score " + name + "/" + version + ": unknown format '"
                    + format + "', expected one of " + ModelPublished.FORMATS);
        };
    }

    /** Index of the largest of the 10 probabilities of image {@code i}. */
    public static int argmax(float[] probabilities, int i) {
        int base = i * ModelScorer.OUTPUT_SIZE;
        int best = 0;
        for (int c = 1; c < ModelScorer.OUTPUT_SIZE; c++) {
            if (probabilities[base + c] > probabilities[base + best]) {
                best = c;
            }
        }
        return best;
    }
}
