package dev.fmnist.runtime.scoring;

/**
 * What every scorer holds: its model's name and version, its artifact format and the most images it
 * scores in one native call ({@link ScorerOptions#maxBatch()}).
 */
public abstract class AbstractModelScorer implements ModelScorer {
    protected final String name;
    protected final int version;
    protected final int maxBatch;
    private final String format;

    protected AbstractModelScorer(String name, int version, String format, int maxBatch) {
        this.name = name;
        this.version = version;
        this.format = format;
        this.maxBatch = maxBatch;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int version() {
        return version;
    }

    @Override
    public final String format() {
        return format;
    }

    /** E.g. {@code cnn/4 (onnx, CPU)}: the format without its encoding ({@code xgboost}, not {@code xgboost-ubj}). */
    @Override
    public String toString() {
        int dash = format.indexOf('-');
        return name + "/" + version + " (" + (dash < 0 ? format : format.substring(0, dash)) + ", " + provider() + ")";
    }
}
