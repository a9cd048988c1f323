package dev.fmnist.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuCheckTest {

    @Test
    void countsDifferingLabelsAndTheLargestProbabilityDifference() {
        float[] cpu = new float[20];
        float[] cuda = new float[20];
        cpu[3] = 1f;            // image 0: class 3 on both
        cuda[3] = 0.99995f;
        cuda[4] = 0.00005f;
        cpu[10 + 1] = 0.6f;     // image 1: class 1 on the CPU, class 2 on CUDA
        cpu[10 + 2] = 0.4f;
        cuda[10 + 1] = 0.4f;
        cuda[10 + 2] = 0.6f;

        GpuCheck.Row row = GpuCheck.compare("lenet", 3, cpu, cuda, 1000, 9000);

        assertThat(row.images()).isEqualTo(2);
        assertThat(row.labelsDiffering()).isEqualTo(1);
        assertThat(row.maxProbabilityDifference()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(row.agrees()).isFalse();
        assertThat(GpuCheck.table(List.of(row))).contains("| lenet v3 | 2 | 1 |").contains("DISAGREE");
    }

    @Test
    void withinToleranceAgrees() {
        float[] cpu = {0.5f, 0.5f, 0, 0, 0, 0, 0, 0, 0, 0};
        float[] cuda = {0.50005f, 0.49995f, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(GpuCheck.compare("cnn", 1, cpu, cuda, 1, 1).agrees()).isTrue();
    }

    /**
     * On a machine without CUDA (this one, in CI) the check does not measure the CPU twice: the row
     * says why the model could not run on CUDA, carries the CPU figure alone and counts as not run.
     */
    @Test
    void aCpuOnlyEngineGetsARowSayingWhy() {
        org.junit.jupiter.api.Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime has a CUDA provider");
        LabelledImages images = TestModels.trainingSample(64);
        byte[] onnx = TestModels.templateOnnx("lenet", images, 4f);
        StoredModel stored = new StoredModel("lenet", 1, "onnx", null, onnx, "{}", null);
        GpuCheck.Row row = GpuCheck.check(stored, TestModels.input(images, 0, 64), 64);

        assertThat(row.ranOnCuda()).isFalse();
        assertThat(row.agrees()).isFalse();
        assertThat(row.notOnCuda()).contains("no CUDA execution provider");
        assertThat(row.cpuImagesPerSecond()).isPositive();
        assertThat(GpuCheck.table(List.of(row))).contains("| lenet v1 | 64 | - | - |").contains("not on CUDA: ");
    }

    @Test
    void theBatchTableGivesTheRatioOfCudaToCpu() {
        String table = GpuCheck.batchTable(List.of(new GpuCheck.BatchRow("xgboost", 2, 4096, 20_000, 50_000)));
        assertThat(table).contains("| xgboost v2 | 4,096 | 20,000 | 50,000 | 2.50x |");
    }

    @Test
    void optionsAreTakenOutOfTheModelList() {
        List<String> args = new java.util.ArrayList<>(List.of("lenet", "--models-dir", "m", "forest"));
        assertThat(GpuCheck.option(args, "--models-dir")).isEqualTo("m");
        assertThat(GpuCheck.option(args, "--test-data")).isNull();
        assertThat(args).containsExactly("lenet", "forest");
        assertThatThrownBy(() -> GpuCheck.option(new java.util.ArrayList<>(List.of("--export")), "--export"))
                .hasMessageContaining("--export needs a value");
    }
}
