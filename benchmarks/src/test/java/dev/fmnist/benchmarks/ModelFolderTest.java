package dev.fmnist.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {
    @TempDir
    Path dir;

    private static StoredModel model(String name, int version, String format, byte[] artifact) {
        return new StoredModel(name, version, format, ModelRegistryReader.sha256(artifact), artifact, "{}",
                Instant.parse("2026-12-04T10:00:00Z"));
    }

    @Test
    void writesTritonsLayoutAndReadsTheNewestVersionBack() throws Exception {
        ModelFolder.write(model("xgboost", 2, "xgboost-ubj", new byte[] {1, 2, 3}), dir);
        Path newest = ModelFolder.write(model("xgboost", 10, "xgboost-ubj", new byte[] {4, 5}), dir);

        assertThat(newest).isEqualTo(dir.resolve("xgboost/10/model.ubj"));
        assertThat(dir.resolve("xgboost/10/metadata.properties")).exists();
        StoredModel read = ModelFolder.latest(dir, "xgboost");
        assertThat(read.version()).isEqualTo(10); // numerically newest, not "2" > "10" as text
        assertThat(read.format()).isEqualTo("xgboost-ubj");
        assertThat(read.artifact()).containsExactly(4, 5);
        assertThat(read.createdAt()).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
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
