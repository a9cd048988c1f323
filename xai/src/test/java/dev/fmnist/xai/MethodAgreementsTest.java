package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MethodAgreementsTest {

    @Test
    void spearmanIsOneForTheSameRankingMinusOneForTheReverseAndUsesAverageRanksForTies() {
        float[] a = {0.1f, 0.5f, 0.2f, 0.9f};
        assertThat(MethodAgreements.spearman(a, new float[] {1, 50, 3, 1000})).isEqualTo(1.0, within(1e-12));
        assertThat(MethodAgreements.spearman(a, new float[] {4, 2, 3, 1})).isEqualTo(-1.0, within(1e-12));
        // ranks of b with a tie: 1, 2.5, 2.5, 4 against 1, 3, 2, 4 -> Pearson of ranks = 0.9487
        assertThat(MethodAgreements.spearman(a, new float[] {0, 7, 7, 9})).isEqualTo(0.9486833, within(1e-6));
    }

    @Test
    void constantWeightsHaveNoRankingToCompare() {
        assertThat(MethodAgreements.spearman(new float[] {1, 2, 3}, new float[] {0, 0, 0})).isNull();
        assertThatThrownBy(() -> MethodAgreements.spearman(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pairsOnlyMethodsOfTheSameModelVersionAndSegmentation() {
        List<MethodAgreement> pairs = MethodAgreements.of(List.of(
                new SegmentWeights("lenet", 1, "kernel_shap", new float[] {1, 2, 3}, "log_odds"),
                new SegmentWeights("lenet", 1, "lime", new float[] {3, 2, 1}, "log_odds"),
                new SegmentWeights("lenet", 2, "lime", new float[] {1, 2, 3}, "log_odds"),
                new SegmentWeights("xgboost", 1, "lime", new float[] {1, 2, 3}, "log_odds"),
                new SegmentWeights("xgboost", 1, "tree_shap", new float[] {1, 2, 3, 4}, "log_odds")));
        assertThat(pairs).hasSize(1);
        assertThat(pairs.get(0).methodA()).isEqualTo("kernel_shap");
        assertThat(pairs.get(0).methodB()).isEqualTo("lime");
        assertThat(pairs.get(0).spearman()).isEqualTo(-1.0, within(1e-12));
        assertThat(pairs.get(0).segments()).isEqualTo(3);
        assertThat(pairs.get(0).outputSpace()).isEqualTo("log_odds");
    }

    @Test
    void mapsInDifferentOutputSpacesAreNotCompared() {
        List<MethodAgreement> pairs = MethodAgreements.of(List.of(
                new SegmentWeights("xgboost", 1, "kernel_shap", new float[] {1, 2, 3}, "probability"),
                new SegmentWeights("xgboost", 1, "lime", new float[] {1, 3, 2}, "probability"),
                new SegmentWeights("xgboost", 1, "tree_shap", new float[] {1, 2, 3}, "margin")));
        // kernel_shap and tree_shap rank alike, but one is a probability map and the other a margin map
        assertThat(pairs).singleElement().satisfies(p -> {
            assertThat(p.methodA()).isEqualTo("kernel_shap");
            assertThat(p.methodB()).isEqualTo("lime");
            assertThat(p.outputSpace()).isEqualTo("probability");
        });
        assertThat(MethodAgreements.of(List.of(
                new SegmentWeights("lenet", 1, "kernel_shap", new float[] {1, 2, 3}, "probability"),
                new SegmentWeights("lenet", 1, "lime", new float[] {1, 2, 3}, "log_odds")))).isEmpty();
    }
}
