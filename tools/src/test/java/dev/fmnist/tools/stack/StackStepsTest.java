package dev.fmnist.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StackStepsTest {
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    @Test
    void inferenceGetsOneNativeThreadPerCallAndSplitsLoneBatchesOnSmallMachines() {
        Map<String, String> env = StackSteps.serviceEnv(new StackSettings(Map.of()), "inference-service", Map.of("A", "b"));
        String threads = CPUS > 2 ? Integer.toString(CPUS - 1) : "1";
        assertThat(env).containsEntry("A", "b").containsEntry("INFERENCE_THREADS", threads)
                .containsEntry("INFERENCE_SPLIT_CORES", threads.equals("1") ? Integer.toString(CPUS) : "1")
                .containsEntry("INFERENCE_THREAD_SPINNING", "false");
    }

    @Test
    void theUsersSettingsWinAndMoreNativeThreadsMeanNoSplitting() {
        Map<String, String> env = StackSteps.serviceEnv(new StackSettings(Map.of("INFERENCE_THREADS", "4",
                "INFERENCE_THREAD_SPINNING", "true")), "inference-service", Map.of());
        assertThat(env).containsEntry("INFERENCE_THREADS", "4").containsEntry("INFERENCE_SPLIT_CORES", "1")
                .containsEntry("INFERENCE_THREAD_SPINNING", "true");
        assertThat(StackSteps.serviceEnv(new StackSettings(Map.of("INFERENCE_THREADS", "1", "INFERENCE_SPLIT_CORES", "3")),
                "inference-service", Map.of())).containsEntry("INFERENCE_SPLIT_CORES", "3");
        assertThat(StackSteps.serviceEnv(new StackSettings(Map.of()), "explainer-service", Map.of()))
                .doesNotContainKeys("INFERENCE_THREADS", "INFERENCE_SPLIT_CORES");
    }

    @Test
    void inferenceGetsAYoungGenerationForItsBatchesInFlightAndTheOthersTheDefault() {
        StackSettings defaults = new StackSettings(Map.of());
        assertThat(StackSteps.serviceJvm(defaults, "inference-service"))
                .containsExactly("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-Xmn160m");
        assertThat(StackSteps.serviceJvm(defaults, "explainer-service"))
                .containsExactly("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");
        // a small heap keeps room for the old generation; the user's own options come last and win
        assertThat(StackSteps.serviceJvm(new StackSettings(Map.of("FMNIST_SERVICE_HEAP", "200m",
                "FMNIST_SERVICE_JAVA_OPTS", "-Xmn40m")), "inference-service"))
                .containsExactly("-Xms176m", "-Xmx200m", "-XX:+UseSerialGC", "-Xmn80m", "-Xmn40m");
        assertThat(StackSteps.serviceJvm(new StackSettings(Map.of("FMNIST_SERVICE_HEAP", "1g")), "inference-service"))
                .containsExactly("-Xms256m", "-Xmx1g", "-XX:+UseSerialGC", "-Xmn160m");
    }

    @Test
    void jvmSizesAreReadInMebibytes() {
        assertThat(StackSteps.megabytes("512m")).isEqualTo(512);
        assertThat(StackSteps.megabytes("2G")).isEqualTo(2048);
        assertThat(StackSteps.megabytes("1048576k")).isEqualTo(1024);
        assertThat(StackSteps.megabytes("268435456")).isEqualTo(256);
        assertThat(StackSteps.megabytes("lots")).isEqualTo(-1);
    }
}
