package dev.fmnist.runtime.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Registered model versions as plain files, in Triton's model-repository layout: {@code <dir>/<name>/<version>/}
 * with the artifact ({@link #artifactFileName}: {@code model.onnx} or {@code model.ubj}) and {@value #METADATA}
 * beside it (name, version, format, SHA-256, creation time and metrics; the trainer adds the parameters, the
 * evaluations and the epochs). The trainer writes one such folder per registered version (its report folder,
 * {@code TRAINER_OUTPUT_DIR}); {@code GpuCheck --export} writes them for a machine without the database (the GPU
 * machine of deploy/gpu/bundle.sh); {@link #latest} reads either back, the artifact checked against its SHA-256
 * as {@link ModelRegistryReader} checks the registry's.
 */
public final class ModelFolder {
    /** The metadata file of a version folder. */
    public static final String METADATA = "metadata.json";

    private ModelFolder() {
    }

    /** The artifact's file name in a version folder. */
    public static String artifactFileName(String format) {
        return switch (format) {
            case ModelPublished.FORMAT_ONNX -> "model.onnx";
            case ModelPublished.FORMAT_XGBOOST_UBJ -> "model.ubj";
            default -> throw new IllegalArgumentException("unknown model format '" + format + "' (expected "
                    + ModelPublished.FORMAT_ONNX + " or " + ModelPublished.FORMAT_XGBOOST_UBJ + ")");
        };
    }

    /** Creates (if need be) and returns the folder of one version under {@code dir}. */
    public static Path versionFolder(Path dir, String name, int version) throws IOException {
        return Files.createDirectories(dir.resolve(name).resolve(Integer.toString(version)));
    }

    /** The fields every {@value #METADATA} has, in order; the trainer adds its own after them. */
    public static Map<String, Object> metadata(String name, int version, String format, String sha256, Instant createdAt,
                                               Object metrics) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        meta.put("version", version);
        meta.put("format", format);
        meta.put("sha256", sha256);
        meta.put("createdAt", createdAt);
        meta.put("metrics", metrics);
        return meta;
    }

    /** Writes one registered version under {@code dir}; returns the artifact's path. */
    public static Path write(StoredModel model, Path dir) throws IOException {
        Path folder = versionFolder(dir, model.name(), model.version());
        Path artifact = folder.resolve(artifactFileName(model.format()));
        Files.write(artifact, model.artifact());
        JsonNode metrics = Json.mapper().readTree(model.metricsJson() == null ? "{}" : model.metricsJson());
        writeMetadata(folder, metadata(model.name(), model.version(), model.format(), model.sha256(), model.createdAt(),
                metrics));
        return artifact;
    }

    /** Writes {@value #METADATA} into a version folder. */
    public static void writeMetadata(Path folder, Map<String, Object> metadata) throws IOException {
        Files.writeString(folder.resolve(METADATA), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(metadata));
    }

    /**
     * The newest version of {@code name} under {@code dir} (numerically: 10 is newer than 2), its artifact checked
     * against the SHA-256 of its metadata.
     *
     * @throws IllegalStateException when there is no such model, its metadata is incomplete, or the artifact does
     *                               not match
     */
    public static StoredModel latest(Path dir, String name) throws IOException {
        Path modelDir = dir.resolve(name);
        int version;
        try (Stream<Path> versions = Files.list(modelDir)) {
            version = versions.map(p -> p.getFileName().toString()).filter(v -> v.matches("\\d{1,9}"))
                    .mapToInt(Integer::parseInt).max()
                    .orElseThrow(() -> new IllegalStateException(modelDir + " holds no numbered version folder"));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("no model '" + name + "' in " + dir + " (expected " + modelDir
                    + "/<version>/; the trainer's output folder or 'GpuCheck --export DIR " + name + "' has them)", e);
        }
        return read(dir, name, version);
    }

    /** Version {@code version} of {@code name} under {@code dir}, its artifact checked against its SHA-256. */
    public static StoredModel read(Path dir, String name, int version) throws IOException {
        Path folder = dir.resolve(name).resolve(Integer.toString(version));
        JsonNode meta;
        try {
            meta = Json.mapper().readTree(Files.readString(folder.resolve(METADATA)));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(folder + " has no " + METADATA, e);
        }
        String format = required(meta, "format", folder);
        String expected = required(meta, "sha256", folder);
        Instant createdAt;
        try {
            createdAt = Instant.parse(required(meta, "createdAt", folder));
        } catch (DateTimeParseException e) {
            throw new IllegalStateException(folder.resolve(METADATA) + ": createdAt is not an ISO-8601 instant", e);
        }
        byte[] artifact = Files.readAllBytes(folder.resolve(artifactFileName(format)));
        String sha256 = ModelRegistryReader.sha256(artifact);
        if (!sha256.equals(expected)) {
            throw new IllegalStateException(folder + ": the artifact's SHA-256 is " + sha256 + ", its metadata says "
                    + expected);
        }
        JsonNode metrics = meta.path("metrics");
        return new StoredModel(name, version, format, sha256, artifact, metrics.isObject() ? metrics.toString() : "{}",
                createdAt);
    }

    private static String required(JsonNode meta, String field, Path folder) {
        JsonNode value = meta.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalStateException(folder.resolve(METADATA) + " lacks '" + field + "'");
        }
        return value.asText();
    }
}
