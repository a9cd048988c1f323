package dev.fmnist.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {
    @TempDir
    Path dir;

    private static StoredModel model(String name, int version, String format, byte[] artifact) {
        return new StoredModel(name, version, format, ModelRegistryReader.sha256(artifact), artifact,
                "{\"testAccuracy\":0.9}", Instant.parse("2026-12-04T10:00:00Z"));
    }

    @Test
    void writesTritonsLayoutAndReadsTheNewestVersionBack() throws Exception {
        ModelFolder.write(model("xgboost", 2, "xgboost-ubj", new byte[] {1, 2, 3}), dir);
        Path newest = ModelFolder.write(model("xgboost", 10, "xgboost-ubj", new byte[] {4, 5}), dir);

        assertThat(newest).isEqualTo(dir.resolve("xgboost/10/model.ubj"));
        assertThat(dir.resolve("xgboost/10/metadata.json")).exists();
        StoredModel read = ModelFolder.latest(dir, "xgboost");
        assertThat(read.version()).isEqualTo(10); // numerically newest, not "2" > "10" as text
        assertThat(read.format()).isEqualTo("xgboost-ubj");
        assertThat(read.artifact()).containsExactly(4, 5);
        assertThat(read.createdAt()).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
        assertThat(read.metricsJson()).contains("\"testAccuracy\":0.9");
    }

    /** The trainer's report folder (ReportFiles: more fields, pretty-printed, a fraction of a second in createdAt) reads back. */
    @Test
    void readsAFolderAsTheTrainerWritesIt() throws Exception {
        byte[] onnx = {7, 7, 7, 7};
        Path folder = ModelFolder.versionFolder(dir, "lenet", 3);
        Files.write(folder.resolve("model.onnx"), onnx);
        Files.writeString(folder.resolve("metadata.json"), """
                {
                  "name" : "lenet",
                  "version" : 3,
                  "format" : "onnx",
                  "sha256" : "%s",
                  "trainingRunId" : "7061b4b3-83d0-4484-b29d-8d23de26ecc8",
                  "createdAt" : "2026-12-04T13:31:22.439287Z",
                  "metrics" : { "testAccuracy" : 0.9013, "epochsRun" : 8 },
                  "params" : { "epochs" : 8 },
                  "evaluations" : [ ],
                  "epochs" : [ ]
                }
                """.formatted(ModelRegistryReader.sha256(onnx)));

        StoredModel read = ModelFolder.latest(dir, "lenet");
        assertThat(read.version()).isEqualTo(3);
        assertThat(read.artifact()).containsExactly(7, 7, 7, 7);
        assertThat(read.createdAt()).isEqualTo(Instant.parse("2026-12-04T13:31:22.439287Z"));
        assertThat(read.metricsJson()).contains("\"epochsRun\":8");
    }

    @Test
    void metadataWithoutItsShaIsRefusedByName() throws Exception {
        Path folder = ModelFolder.versionFolder(dir, "cnn", 1);
        Files.write(folder.resolve("model.onnx"), new byte[] {1});
        Files.writeString(folder.resolve("metadata.json"), "{\"format\":\"onnx\",\"createdAt\":\"2026-12-04T10:00:00Z\"}");

        assertThatThrownBy(() -> ModelFolder.latest(dir, "cnn")).hasMessageContaining("lacks 'sha256'");
    }

    @Test
    void anUnknownFormatHasNoArtifactName() {
        assertThat(ModelFolder.artifactFileName("onnx")).isEqualTo("model.onnx");
        assertThat(ModelFolder.artifactFileName("xgboost-ubj")).isEqualTo("model.ubj");
        assertThatThrownBy(() -> ModelFolder.artifactFileName("pickle")).hasMessageContaining("unknown model format 'pickle'");
    }

    @Test
    void anArtifactThatDoesNotMatchItsShaIsRefused() throws Exception {
        Path artifact = ModelFolder.write(model("lenet", 1, "onnx", new byte[] {9, 9, 9}), dir);
        Files.write(artifact, new byte[] {9, 9, 8});

        assertThatThrownBy(() -> ModelFolder.latest(dir, "lenet")).hasMessageContaining("SHA-256")
                .hasMessageContaining("lenet/1");
    }

    @Test
    void aMissingModelSaysHowToWriteIt() {
        assertThatThrownBy(() -> ModelFolder.latest(dir, "forest")).hasMessageContaining("no model 'forest'")
                .hasMessageContaining("GpuCheck --export");
    }
}
