package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DeletionCurveTest {

    @Test
    void areaIsTheTrapezoidOverTheRemovedFraction() {
        // a straight line from 1 to 0: area 1/2, whatever the number of steps
        assertThat(DeletionCurve.area(new float[] {1, 0.75f, 0.5f, 0.25f, 0})).isCloseTo(0.5, within(1e-9));
        // (1 + 0.2) / 2 / 2 + (0.2 + 0.1) / 2 / 2 = 0.375
        assertThat(DeletionCurve.area(new float[] {1, 0.2f, 0.1f})).isCloseTo(0.375, within(1e-7));
        assertThat(DeletionCurve.area(new float[] {0.7f})).isCloseTo(0.7, within(1e-7));
        assertThatThrownBy(() -> DeletionCurve.area(new float[0])).hasMessageContaining("at least one point");
    }

    @Test
    void removesTheHighestWeightedSegmentFirstAndRecordsTheProbabilityAfterEachRemoval() {
        // four bands worth 0.4, 0.3, 0.2, 0.1 of the target probability: removing them in that order gives
        // 1.0, 0.6, 0.3, 0.1, 0.0, a monotone curve of area (1.6 + 0.9 + 0.4 + 0.1) / 2 / 4 = 0.375
        Segmentation bands = new BandSegmentation(4);
        double[] worth = {0.2, 0.4, 0.1, 0.3};
        GameScorer model = new GameScorer(bands, 2, Games.additive(0, worth));
        MaskedScorer scorer = new MaskedScorer(model, GameScorer.image(), Segments.of(bands, GameScorer.image()), 2,
                2);

        DeletionCurve faithful = DeletionCurve.measure(scorer, worth);
        assertThat(faithful.values()).containsExactly(new float[] {1.0f, 0.6f, 0.3f, 0.1f, 0.0f}, within(1e-6f));
        assertThat(faithful.area()).isCloseTo(0.375, within(1e-6));
        assertThat(scorer.evaluations()).isEqualTo(5);
        assertThat(model.largestBatch()).isEqualTo(2);

        // the reverse order removes the least important first: the curve stays high, the area is larger
        DeletionCurve reversed = DeletionCurve.measure(scorer, new double[] {-0.2, -0.4, -0.1, -0.3});
        assertThat(reversed.values()).containsExactly(new float[] {1.0f, 0.9f, 0.7f, 0.4f, 0.0f}, within(1e-6f));
        assertThat(reversed.area()).isCloseTo((1.9 + 1.6 + 1.1 + 0.4) / 2 / 4, within(1e-6));
    }

    @Test
    void equalWeightsAreRemovedInSegmentOrder() {
        assertThat(DeletionCurve.removalOrder(new double[] {0.1, 0.5, 0.1, 0.5, -1}))
                .containsExactly(1, 3, 0, 2, 4);
    }
}
