package dev.fmnist.explainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.explainer.service.ExplanationPolicy.Reason;
import dev.fmnist.xai.OutputSpace;
import dev.fmnist.xai.StableHash;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Sampling is deterministic and near the configured rate; only sampled explanations are shed, past max-lag. */
class ExplanationPolicyTest {
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    static ExplanationPolicy policy(double rate, Duration maxLag) {
        return new ExplanationPolicy(rate, maxLag, Map.of("xgboost", List.of("lime", "kernel_shap", "tree_shap")),
                List.of("lime", "kernel_shap"));
    }

    static Prediction prediction(String id, boolean explain) {
        float[] p = new float[10];
        p[3] = 1f;
        return new Prediction(id, new ModelRef("cnn", 1), 3, "Dress", p, "", NOW, 1.0, explain, null);
    }

    @Test
    void sampleIsAStableFunctionOfTheRequestIdNearTheRate() {
        ExplanationPolicy policy = policy(0.1, Duration.ofMinutes(2));
        long sampled = IntStream.range(0, 20_000).filter(i -> policy.sampled("request-" + i)).count();
        assertThat(sampled).isBetween(1_800L, 2_200L);
        for (int i = 0; i < 100; i++) {
            assertThat(policy.sampled("request-" + i)).isEqualTo(policy(0.1, Duration.ZERO).sampled("request-" + i));
        }
        // the hash is SHA-256 based, not String.hashCode: pinned so that another JVM or release samples the same ids
        assertThat(StableHash.of("abc")).isEqualTo(0xba7816bf8f01cfeaL);
        assertThat(StableHash.unit("abc")).isBetween(0.0, 1.0);
    }

    @Test
    void rateZeroSamplesNothingAndRateOneEverything() {
        for (int i = 0; i < 1000; i++) {
            assertThat(policy(0, Duration.ZERO).sampled("r" + i)).isFalse();
            assertThat(policy(1, Duration.ZERO).sampled("r" + i)).isTrue();
        }
    }

    @Test
    void requestedWinsOverSampling() {
        ExplanationPolicy none = policy(0, Duration.ofMinutes(2));
        assertThat(none.reason(prediction("x", true))).isEqualTo(Reason.REQUESTED);
        assertThat(none.reason(prediction("x", false))).isEqualTo(Reason.NOT_SAMPLED);
        assertThat(policy(1, Duration.ofMinutes(2)).reason(prediction("x", false))).isEqualTo(Reason.SAMPLED);
    }

    @Test
    void onlySampledExplanationsOlderThanMaxLagAreShed() {
        ExplanationPolicy policy = policy(0.5, Duration.ofMinutes(2));
        Instant fresh = NOW.minusSeconds(119);
        Instant stale = NOW.minusSeconds(121);
        assertThat(policy.shed(Reason.SAMPLED, fresh, NOW)).isFalse();
        assertThat(policy.shed(Reason.SAMPLED, stale, NOW)).isTrue();
        assertThat(policy.shed(Reason.REQUESTED, stale, NOW)).isFalse();
        assertThat(policy.shed(Reason.REQUESTED, NOW.minus(Duration.ofDays(30)), NOW)).isFalse();
        // a prediction from a clock ahead of ours has no lag
        assertThat(ExplanationPolicy.lag(NOW.plusSeconds(5), NOW)).isEqualTo(Duration.ZERO);
        assertThat(policy.shed(Reason.SAMPLED, NOW.plusSeconds(500), NOW)).isFalse();
    }

    @Test
    void methodsPerModelWithDefaults() {
        ExplanationPolicy policy = policy(0.01, Duration.ofMinutes(2));
        assertThat(policy.methods("xgboost")).containsExactly("lime", "kernel_shap", "tree_shap");
        assertThat(policy.methods("cnn")).containsExactly("lime", "kernel_shap");
        assertThat(policy.methods("lenet")).containsExactly("lime", "kernel_shap");
        ExplanationPolicy noLenet = new ExplanationPolicy(0.01, Duration.ZERO, Map.of("lenet", List.of()),
                List.of("lime"));
        assertThat(noLenet.methods("lenet")).isEmpty();
        assertThat(noLenet.explainedModels()).containsExactlyInAnyOrder("cnn", "xgboost", "forest");
    }

    @Test
    void badSettingsNameTheirKey() {
        assertThatThrownBy(() -> policy(1.5, Duration.ZERO)).hasMessageContaining("explainer.sample-rate");
        assertThatThrownBy(() -> policy(Double.NaN, Duration.ZERO)).hasMessageContaining("explainer.sample-rate");
        assertThatThrownBy(() -> policy(0.1, Duration.ofSeconds(-1))).hasMessageContaining("explainer.max-lag");
        assertThatThrownBy(() -> new ExplanationPolicy(0.1, Duration.ZERO, Map.of("cnn", List.of("gradcam")),
                List.of("lime"))).hasMessageContaining("explainer.methods.cnn").hasMessageContaining("gradcam");
        assertThatThrownBy(() -> new ExplanationPolicy(0.1, Duration.ZERO, Map.of("resnet", List.of("lime")),
                List.of("lime"))).hasMessageContaining("unknown model 'resnet'");
    }

    @Test
    void seedsDependOnRequestAndMethodOnly() {
        assertThat(StableHash.seed("r1", "lime")).isEqualTo(StableHash.seed("r1", "lime"));
        assertThat(StableHash.seed("r1", "lime")).isNotEqualTo(StableHash.seed("r1", "kernel_shap"));
        assertThat(StableHash.seed("r1", "lime")).isNotEqualTo(StableHash.seed("r2", "lime"));
    }

    @Test
    void everyModelHasOneOutputSpaceTheDefaultUnlessConfigured() {
        ExplanationPolicy policy = new ExplanationPolicy(0.01, Duration.ZERO, Map.of(), List.of("lime", "kernel_shap"),
                Map.of("lenet", "probability"), "log_odds");
        assertThat(policy.outputSpace("lenet")).isEqualTo(OutputSpace.PROBABILITY);
        assertThat(policy.outputSpace("cnn")).isEqualTo(OutputSpace.LOG_ODDS);
        assertThat(policy.outputSpace("xgboost")).isEqualTo(OutputSpace.LOG_ODDS);
        assertThat(policy(0.01, Duration.ZERO).outputSpaces()).containsOnlyKeys("cnn", "lenet", "xgboost", "forest")
                .allSatisfy((model, space) -> assertThat(space).isEqualTo(OutputSpace.LOG_ODDS));
    }

    @Test
    void treeShapInProbabilitySpaceIsRejectedNamingTheModelAndTheSetting() {
        assertThatThrownBy(() -> new ExplanationPolicy(0.01, Duration.ZERO,
                Map.of("xgboost", List.of("lime", "kernel_shap", "tree_shap")), List.of("lime"),
                Map.of("xgboost", "probability"), "log_odds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("explainer.methods.xgboost names tree_shap")
                .hasMessageContaining("model 'xgboost' is probability")
                .hasMessageContaining("explainer.output-space.xgboost");
        // the default space applies too
        assertThatThrownBy(() -> new ExplanationPolicy(0.01, Duration.ZERO, Map.of("xgboost", List.of("tree_shap")),
                List.of("lime"), Map.of(), "probability")).hasMessageContaining("set it to log_odds, or drop tree_shap");
        // probability without tree_shap is fine
        assertThat(new ExplanationPolicy(0.01, Duration.ZERO, Map.of("xgboost", List.of("lime", "kernel_shap")),
                List.of("lime"), Map.of(), "probability").outputSpace("xgboost")).isEqualTo(OutputSpace.PROBABILITY);
    }

    @Test
    void unknownSpacesAndModelsAreRejected() {
        assertThatThrownBy(() -> new ExplanationPolicy(0.01, Duration.ZERO, Map.of(), List.of("lime"),
                Map.of("lenet", "margin"), "log_odds"))
                .hasMessage("explainer.output-space.lenet must be probability or log_odds, got 'margin'");
        assertThatThrownBy(() -> new ExplanationPolicy(0.01, Duration.ZERO, Map.of(), List.of("lime"),
                Map.of("resnet", "log_odds"), "log_odds")).hasMessageContaining("explainer.output-space.resnet: unknown model");
        assertThatThrownBy(() -> new ExplanationPolicy(0.01, Duration.ZERO, Map.of(), List.of("lime"), Map.of(), "odds"))
                .hasMessage("explainer.default-output-space must be probability or log_odds, got 'odds'");
    }

    @Test
    void kernelShapBudgetFactorsPerModelDefaultToOneAndBadOnesNameTheirKey() {
        ExplanationPolicy p = new ExplanationPolicy(0.01, Duration.ZERO, Map.of(), List.of("lime", "kernel_shap"),
                Map.of(), "log_odds", Map.of("cnn", 4.0));
        assertThat(p.shapBudgetFactor("cnn")).isEqualTo(4.0);
        assertThat(p.shapBudgetFactor("lenet")).isEqualTo(1.0);
        assertThatThrownBy(() -> new ExplanationPolicy(0.01, Duration.ZERO, Map.of(), List.of("lime"), Map.of(), "log_odds",
                Map.of("resnet", 2.0))).hasMessageContaining("explainer.kernel-shap.budget-factor.resnet: unknown model");
        assertThatThrownBy(() -> new ExplanationPolicy(0.01, Duration.ZERO, Map.of(), List.of("lime"), Map.of(), "log_odds",
                Map.of("cnn", 0.0))).hasMessage("explainer.kernel-shap.budget-factor.cnn must be a number above 0 (the "
                + "budget's multiple), got 0.0");
    }
}
