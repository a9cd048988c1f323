package dev.fmnist.runtime.scoring;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ModelPublished;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * An XGBoost4J {@code multi:softprob} booster over the 784 features {@code pixel / 255}, loaded
 * from the registry's UBJSON artifact (JSON works too). Predictions run on a {@link DMatrix} built
 * from the float32 input; {@code nthread} and {@code device} come from {@link ScorerOptions}.
 *
 * <p>Thread-safe: predictions may run concurrently; {@link #close()} waits for them, then frees
 * the native booster.
 */
public final class XgboostScorer extends AbstractModelScorer {
    /** A class only the CUDA build of XGBoost4J ({@code xgboost4j-spark-gpu}, profile cuda) ships. */
    static final String CUDA_BUILD_MARKER = "ml.dmlc.xgboost4j.java.CudfColumn";
    /** No pixel is ever missing; 0 is a real value, so the missing marker is NaN. */
    private static final float MISSING = Float.NaN;

    private final Booster booster;
    private final ExecutionProvider.Chosen provider;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    public XgboostScorer(String name, int version, byte[] model, ScorerOptions options) {
        super(name, version, ModelPublished.FORMAT_XGBOOST_UBJ, options.maxBatch());
        this.provider = options.effectiveXgboostProvider().chooseForXgboost(cudaBuild() && gpuVisible(), cudaUnavailableReason());
        Booster loaded;
        try {
            loaded = XGBoost.loadModel(model);
        } catch (XGBoostError | IOException e) {
            throw new IllegalArgumentException("XGBoost refused " + name + "/" + version + " (" + model.length
                    + " bytes): " + e.getMessage(), e);
        }
        try {
            loaded.setParam("nthread", options.effectiveThreads());
            loaded.setParam("device", provider == ExecutionProvider.Chosen.CUDA ? "cuda" : "cpu");
            long features = loaded.getNumFeature();
            if (features != INPUT_SIZE) {
                throw new IllegalArgumentException(name + "/" + version + " takes " + features + " features, not the "
                        + INPUT_SIZE + " pixels of a 28x28 image");
            }
        } catch (XGBoostError e) {
            loaded.dispose();
            throw new IllegalArgumentException("XGBoost could not configure " + name + "/" + version + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            loaded.dispose();
            throw e;
        }
        this.booster = loaded;
    }

    static boolean cudaBuild() {
        try {
            Class.forName(CUDA_BUILD_MARKER, false, XgboostScorer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Whether an NVIDIA driver exposes a GPU to this process (Linux device files). */
    static boolean gpuVisible() {
        return Files.exists(Path.of("/dev/nvidiactl")) && Files.exists(Path.of("/dev/nvidia0"));
    }

    private static String cudaUnavailableReason() {
        if (!cudaBuild()) {
            return "this XGBoost4J build has no CUDA support (build with the Maven profile cuda for its CUDA build)";
        }
        return "no NVIDIA GPU is visible to this process (/dev/nvidia0 is missing)";
    }

    @Override
    public ExecutionProvider.Chosen provider() {
        return provider;
    }

    @Override
    public float[] score(float[] input, int n) {
        return run(input, n, Output.PROBABILITIES);
    }

    /**
     * The raw scores (margins, log-odds before the softmax) of {@code n} images: {@code [n][10]} flat.
     * {@code softmax} of one row gives that image's row of {@link #score}. TreeSHAP explains in this space.
     */
    public float[] margins(float[] input, int n) {
        return run(input, n, Output.MARGINS);
    }

    /**
     * Exact TreeSHAP values of {@code n} images ({@code Booster.predictContrib}): {@code [n][10][785]}
     * flat, for each class the contribution of each of the 784 pixels, then the bias (the model's
     * expected margin). In margin space: for each image and class, the 785 values sum to that class's
     * {@link #margins margin}.
     */
    public float[] contributions(float[] input, int n) {
        return run(input, n, Output.CONTRIBUTIONS);
    }

    /** Boosting rounds in the model (each round holds one tree per class). */
    public int rounds() {
        return read("the number of rounds", booster::getNumBoostedRound);
    }

    /** The booster as XGBoost's UBJSON, loadable by every XGBoost binding (the registry's {@code xgboost-ubj}). */
    public byte[] toUbj() {
        return read("the model as UBJSON", () -> booster.toByteArray("ubj"));
    }

    @FunctionalInterface
    private interface NativeRead<T> {
        T get() throws XGBoostError;
    }

    private <T> T read(String what, NativeRead<T> call) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(this + " is closed");
            }
            return call.get();
        } catch (XGBoostError e) {
            throw new ScoringException("XGBoost cannot give " + what + " of " + this + ": " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The importance types {@link #importance(String)} accepts (XGBoost's own names). */
    public static final List<String> IMPORTANCE_TYPES = List.of("gain", "total_gain", "weight", "cover", "total_cover");

    /**
     * The booster's global feature importance per pixel ({@code Booster.getScore}): {@code gain} (mean
     * loss reduction of the splits on a pixel, as in the paper's importance map), {@code total_gain},
     * {@code weight} (number of splits), {@code cover} or {@code total_cover}; 784 values, row-major,
     * 0 for a pixel no tree splits on. Summed over the trees of all classes.
     *
     * @throws IllegalArgumentException for another type
     */
    public float[] importance(String type) {
        if (!IMPORTANCE_TYPES.contains(type)) {
            throw new IllegalArgumentException("importance type must be one of " + IMPORTANCE_TYPES + ", got '"
                    + type + "'");
        }
        Map<String, Double> scores = read("the " + type + " importance", () -> booster.getScore("", type));
        float[] out = new float[INPUT_SIZE];
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            int pixel = featureIndex(e.getKey());
            out[pixel] = e.getValue().floatValue();
        }
        return out;
    }

    /** The pixel of XGBoost's default feature name {@code f<i>}. */
    private int featureIndex(String feature) {
        if (feature.length() > 1 && feature.charAt(0) == 'f') {
            try {
                int i = Integer.parseInt(feature.substring(1));
                if (i >= 0 && i < INPUT_SIZE) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
        }
        throw new ScoringException(this + " names a feature '" + feature + "', expected f0..f" + (INPUT_SIZE - 1), null);
    }

    /** What one prediction call returns, and how many values per image. */
    private enum Output {
        PROBABILITIES(OUTPUT_SIZE), MARGINS(OUTPUT_SIZE), CONTRIBUTIONS(OUTPUT_SIZE * (INPUT_SIZE + 1));

        final int width;

        Output(int width) {
            this.width = width;
        }
    }

    private float[] run(float[] input, int n, Output output) {
        ModelScorer.requireInput(input, n);
        float[] out = new float[n * output.width];
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(this + " is closed");
            }
            for (int from = 0; from < n; from += maxBatch) {
                int b = Math.min(maxBatch, n - from);
                predict(input, from, b, output, out);
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    private void predict(float[] input, int from, int b, Output output, float[] out) {
        float[] rows = from == 0 && input.length == b * INPUT_SIZE ? input
                : Arrays.copyOfRange(input, from * INPUT_SIZE, (from + b) * INPUT_SIZE);
        DMatrix matrix = null;
        try {
            matrix = new DMatrix(rows, b, Pixels.COUNT, MISSING);
            float[][] values = switch (output) {
                case PROBABILITIES -> booster.predict(matrix);
                case MARGINS -> booster.predict(matrix, true);
                case CONTRIBUTIONS -> booster.predictContrib(matrix, 0);
            };
            for (int i = 0; i < b; i++) {
                if (values[i].length != output.width) {
                    throw new ScoringException(this + " gives " + values[i].length + " values per image for "
                            + output.name().toLowerCase(Locale.ROOT) + ", not " + output.width
                            + " (is it multi:softprob with 10 classes?)", null);
                }
                System.arraycopy(values[i], 0, out, (from + i) * output.width, output.width);
            }
        } catch (XGBoostError e) {
            throw new ScoringException("XGBoost failed to score " + b + " images with " + this + ": " + e.getMessage(), e);
        } finally {
            if (matrix != null) {
                matrix.dispose();
            }
        }
    }

    /** Frees the native booster after the calls in flight; later calls fail. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                booster.dispose();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
