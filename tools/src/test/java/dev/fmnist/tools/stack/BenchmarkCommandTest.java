package dev.fmnist.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkCommandTest {
    @Test
    void budgetFactorsAreTheExplainersOwnWithoutProfiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, """
                # KernelSHAP
                explainer.kernel-shap.budget=0
                explainer.kernel-shap.budget-factor.cnn = 8
                explainer.kernel-shap.budget-factor.forest=1.5
                %test.explainer.kernel-shap.budget-factor.lenet=2
                explainer.lime.samples=1000
                """);
        assertThat(BenchmarkCommand.budgetFactors(file)).containsExactly(Map.entry("cnn", "8"), Map.entry("forest", "1.5"));
    }

    @Test
    void theExplainersConfigurationIsReadWithPositiveFactors() throws Exception {
        Map<String, String> factors = BenchmarkCommand.budgetFactors(Path.of("..").resolve(BenchmarkCommand.EXPLAINER_PROPERTIES));
        assertThat(factors.values()).allSatisfy(v -> assertThat(Double.parseDouble(v)).isPositive());
    }
}
