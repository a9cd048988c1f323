package dev.fmnist.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoTallyTest {
    private final byte[] labels = {0, 1, 1, 6};
    private final boolean[] asked = {true, false, false, true};

    private DemoTally tally() {
        return new DemoTally(labels, List.of("lenet", "xgboost"), DemoTally.defaultMethods(), asked);
    }

    @Test
    void countsOnePredictionPerRequestAndModelAndIgnoresDuplicates() {
        DemoTally t = tally();
        t.prediction(0, "lenet", 0);
        t.prediction(0, "lenet", 0); // redelivered
        t.prediction(1, "lenet", 2);
        t.prediction(2, "cnn", 1);   // not an expected model
        assertThat(t.predictions()).isEqualTo(2);
        assertThat(t.duplicates()).isEqualTo(1);
        assertThat(t.expectedPredictions()).isEqualTo(8);
        assertThat(t.accuracy("lenet")).isEqualTo(0.5);
        assertThat(t.perClassAccuracy("lenet")[0]).isEqualTo(1.0);
        assertThat(t.perClassAccuracy("lenet")[1]).isEqualTo(0.0);
        assertThat(t.perClassAccuracy("lenet")[6]).isNaN();
    }

    @Test
    void expectsTheConfiguredMethodsOfEachModelForTheRequestsThatAsked() {
        DemoTally t = tally();
        assertThat(t.expectedExplanations()).isEqualTo(2 * (2 + 3));
        t.explanation(0, "lenet", "lime");
        t.explanation(0, "lenet", "lime");      // duplicate
        t.explanation(1, "lenet", "lime");      // a sampled one that was not asked for
        t.explanation(0, "lenet", "tree_shap"); // not a method of lenet
        assertThat(t.explanations()).isEqualTo(1);
        assertThat(t.explanationsByMethod()).containsEntry("lenet lime", 1);
    }

    @Test
    void completeOnlyWhenEveryPredictionAndExplanationArrived() {
        DemoTally t = new DemoTally(new byte[] {3}, List.of("lenet"), DemoTally.defaultMethods(), new boolean[] {true});
        t.prediction(0, "lenet", 3);
        assertThat(t.complete()).isFalse();
        t.explanation(0, "lenet", "lime");
        t.explanation(0, "lenet", "kernel_shap");
        assertThat(t.complete()).isTrue();
        assertThat(t.perClassTable()).contains("| Dress | 100.0 % |").contains("**100.00 %**");
    }

    @Test
    void theExplanationSampleIsEvenlySpread() {
        boolean[] s = StreamTestSetCommand.sample(10_000, 200);
        int count = 0;
        for (boolean b : s) {
            count += b ? 1 : 0;
        }
        assertThat(count).isEqualTo(200);
        assertThat(s[0]).isTrue();
        assertThat(s[50]).isTrue();
        assertThat(s[25]).isFalse();
    }
}
