package dev.fmnist.benchmarks;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Registered model versions as plain files, in Triton's model-repository layout:
 * {@code <dir>/<name>/<version>/model.<ext>} with {@code metadata.properties} beside it (format,
 * SHA-256, creation time). It carries the registry's artifacts to a machine that has no database,
 * the GPU machine of deploy/gpu/bundle.sh; reading checks every artifact against its SHA-256, as
 * the registry reader does.
 */
final class ModelFolder {
    static final String METADATA = "metadata.properties";

    private ModelFolder() {
    }

    /** Writes one version under {@code dir}; returns the artifact's path. */
    static Path write(StoredModel model, Path dir) throws IOException {
        Path versionDir = dir.resolve(model.name()).resolve(Integer.toString(model.version()));
        Files.createDirectories(versionDir);
        Path artifact = versionDir.resolve("model." + extension(model.format()));
        Files.write(artifact, model.artifact());
        Properties meta = new Properties();
        meta.setProperty("format", model.format());
        meta.setProperty("sha256", model.sha256());
        meta.setProperty("artifact", artifact.getFileName().toString());
        meta.setProperty("created", model.createdAt().toString());
        try (OutputStream out = Files.newOutputStream(versionDir.resolve(METADATA))) {
            meta.store(out, model.name() + " version " + model.version() + ", from the fmnist model registry");
        }
        return artifact;
    }

    /** The newest version of {@code name} under {@code dir}, its artifact checked against its SHA-256. */
    static StoredModel latest(Path dir, String name) throws IOException {
        Path modelDir = dir.resolve(name);
        int version;
        try (Stream<Path> versions = Files.list(modelDir)) {
            version = versions.map(p -> p.getFileName().toString()).filter(v -> v.matches("\\d+"))
                    .mapToInt(Integer::parseInt).max()
                    .orElseThrow(() -> new IllegalStateException(modelDir + " holds no numbered version folder"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("no model '" + name + "' in " + dir + " (expected " + modelDir
                    + "/<version>/; 'GpuCheck --export DIR " + name + "' writes it)", e);
        }
        Path versionDir = modelDir.resolve(Integer.toString(version));
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(versionDir.resolve(METADATA))) {
            meta.load(in);
        }
        byte[] artifact = Files.readAllBytes(versionDir.resolve(meta.getProperty("artifact")));
        String sha256 = ModelRegistryReader.sha256(artifact);
        if (!sha256.equals(meta.getProperty("sha256"))) {
            throw new IllegalStateException(versionDir + ": the artifact's SHA-256 is " + sha256 + ", its metadata says "
                    + meta.getProperty("sha256"));
        }
        return new StoredModel(name, version, meta.getProperty("format"), sha256, artifact, "{}",
                Instant.parse(meta.getProperty("created")));
    }

    static String extension(String format) {
        return switch (format) {
            case ModelPublished.FORMAT_ONNX -> "onnx";
            case ModelPublished.FORMAT_XGBOOST_UBJ -> "ubj";
            default -> "bin";
        };
    }
}
