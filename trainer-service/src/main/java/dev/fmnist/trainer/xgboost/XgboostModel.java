package dev.fmnist.trainer.xgboost;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A trained {@code xgboost} model: a live XGBoost4J {@link Booster} over the 784 features
 * {@code pixel / 255} (row-major 28x28). Every tree of the booster is used: the trainer keeps the
 * booster of the best round, so the artifact is the whole model and needs no tree limit.
 *
 * <p>Thread-safe: predictions may run concurrently; {@link #close()} waits for them and frees the
 * native booster, after which every call fails with {@link IllegalStateException}.
 */
public final class XgboostModel implements AutoCloseable {
    /** Artifact format of {@link #toUbj()}: XGBoost's Universal Binary JSON model. */
    public static final String FORMAT = "ubj";
    /** Columns of one row of {@link #contributions}: 784 pixels, then the bias. */
    public static final int CONTRIBUTION_COLUMNS = Pixels.COUNT + 1;

    private static final int K = FashionClass.COUNT;

    private final Booster booster;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private XgboostModel(Booster booster) {
        this.booster = booster;
    }

    /** Wraps a booster (taking ownership of it), predicting with {@code nthread} threads. */
    static XgboostModel of(Booster booster, int nthread) {
        try {
            booster.setParam("nthread", nthread);
        } catch (XGBoostError e) {
            booster.dispose();
            throw new XgboostException("could not set nthread=" + nthread, e);
        }
        return new XgboostModel(booster);
    }

    /** Loads a model from the bytes of {@link #toUbj()} (or any XGBoost model buffer: UBJSON or JSON). */
    public static XgboostModel load(byte[] model, int nthread) {
        Booster booster;
        try {
            booster = XGBoost.loadModel(model);
        } catch (XGBoostError | IOException e) {
            throw new XgboostException("not a loadable XGBoost model (" + model.length + " bytes)", e);
        }
        XgboostModel loaded = of(booster, nthread);
        int features = loaded.numFeatures();
        if (features != Pixels.COUNT) {
            loaded.close();
            throw new XgboostException("the model takes " + features + " features, not the " + Pixels.COUNT
                    + " pixels of a 28x28 image", null);
        }
        return loaded;
    }

    /** Loads a model predicting with as many threads as this JVM may use processors. */
    public static XgboostModel load(byte[] model) {
        return load(model, Runtime.getRuntime().availableProcessors());
    }

    /** The model input of a set of images: {@code pixel / 255}, row-major {@code [n][784]}. */
    public static float[] features(LabelledImages images) {
        int n = images.size();
        byte[] pixels = images.pixels();
        float[] out = new float[n * Pixels.COUNT];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels[i] & 0xFF) / 255f;
        }
        return out;
    }

    /** The model as UBJSON bytes, loadable by {@link #load(byte[])} and by every XGBoost binding. */
    public byte[] toUbj() {
        return read(() -> call(() -> booster.toByteArray(FORMAT), "could not serialize the model"));
    }

    /** Boosting rounds in the model (each round holds one tree per class). */
    public int rounds() {
        return read(() -> call(booster::getNumBoostedRound, "could not read the number of rounds"));
    }

    public int numFeatures() {
        return read(() -> call(() -> (int) booster.getNumFeature(), "could not read the number of features"));
    }

    /** Class probabilities, row-major {@code [n][10]}. */
    public float[] predictProbabilities(LabelledImages images) {
        return predictProbabilities(features(images), images.size());
    }

    /** Class probabilities of {@code n} rows of 784 features {@code pixel / 255}, row-major {@code [n][10]}. */
    public float[] predictProbabilities(float[] features, int n) {
        return predict(features, n, false);
    }

    /** Raw scores (margins) before the softmax, row-major {@code [n][10]}. */
    public float[] predictMargins(float[] features, int n) {
        return predict(features, n, true);
    }

    /** The most probable class of each image. */
    public int[] predictLabels(LabelledImages images) {
        float[] probabilities = predictProbabilities(images);
        int[] labels = new int[images.size()];
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < K; c++) {
                if (probabilities[i * K + c] > probabilities[i * K + best]) {
                    best = c;
                }
            }
            labels[i] = best;
        }
        return labels;
    }

    /**
     * Exact TreeSHAP values of one image (784 features {@code pixel / 255}): {@code [10][785]}, one row
     * per class, the 784 pixel attributions then the bias (expected margin); each row sums to that
     * class's margin ({@link #predictMargins}).
     */
    public float[][] contributions(float[] features) {
        return contributions(features, 1)[0];
    }

    /** {@link #contributions(float[])} of one image given as 784 raw uint8 pixels. */
    public float[][] contributions(byte[] pixels) {
        return contributions(Pixels.toModelInput(pixels));
    }

    /** TreeSHAP values of {@code n} rows: {@code [n][10][785]}. */
    public float[][][] contributions(float[] features, int n) {
        requireRows(features, n);
        float[][] raw = read(() -> withMatrix(features, n, m -> booster.predictContrib(m, 0)));
        float[][][] out = new float[n][K][CONTRIBUTION_COLUMNS];
        for (int i = 0; i < n; i++) {
            if (raw[i].length != K * CONTRIBUTION_COLUMNS) {
                throw new XgboostException("expected " + K * CONTRIBUTION_COLUMNS + " contributions per row, got "
                        + raw[i].length, null);
            }
            for (int c = 0; c < K; c++) {
                System.arraycopy(raw[i], c * CONTRIBUTION_COLUMNS, out[i][c], 0, CONTRIBUTION_COLUMNS);
            }
        }
        return out;
    }

    /**
     * Gain importance per pixel ({@code importance_type=gain}: the mean loss reduction of the splits
     * on that pixel), as a 28x28 row-major map of 784 values; pixels no split uses get 0.
     */
    public float[] gainImportance() {
        Map<String, Double> scores = read(() -> call(() -> booster.getScore("", "gain"),
                "could not compute the feature importance"));
        float[] map = new float[Pixels.COUNT];
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("f")) {
                throw new XgboostException("unexpected feature name '" + name + "'", null);
            }
            map[Integer.parseInt(name.substring(1))] = e.getValue().floatValue();
        }
        return map;
    }

    /** Frees the native booster; later calls fail. Idempotent. */
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

    private float[] predict(float[] features, int n, boolean margins) {
        requireRows(features, n);
        float[][] rows = read(() -> withMatrix(features, n, m -> booster.predict(m, margins)));
        float[] out = new float[n * K];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, out, i * K, K);
        }
        return out;
    }

    private static void requireRows(float[] features, int n) {
        if (n < 0 || features.length != n * Pixels.COUNT) {
            throw new IllegalArgumentException(n + " rows need " + n * Pixels.COUNT + " features, got "
                    + features.length);
        }
    }

    private static <T> T withMatrix(float[] features, int n, NativeFunction<DMatrix, T> f) {
        DMatrix matrix = null;
        try {
            matrix = new DMatrix(features, n, Pixels.COUNT, XgboostSettings.MISSING);
            return f.apply(matrix);
        } catch (XGBoostError e) {
            throw new XgboostException("prediction failed", e);
        } finally {
            if (matrix != null) {
                matrix.dispose();
            }
        }
    }

    private <T> T read(Supplier<T> action) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            return action.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private static <T> T call(NativeCall<T> call, String message) {
        try {
            return call.call();
        } catch (XGBoostError e) {
            throw new XgboostException(message, e);
        }
    }

    @FunctionalInterface
    interface NativeCall<T> {
        T call() throws XGBoostError;
    }

    @FunctionalInterface
    interface NativeFunction<A, T> {
        T apply(A a) throws XGBoostError;
    }
}
