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
}
