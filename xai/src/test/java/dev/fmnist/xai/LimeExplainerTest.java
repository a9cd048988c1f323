package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ExplanationStored;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class LimeExplainerTest {
    static final int TARGET = 6;
    static final Segmentation GRID = new GridSegmentation(4);

    @Test
    void withoutPenaltyLimeRecoversTheCoefficientsOfALinearModelExactly() {
        double[] beta = Games.coefficients(49, 21);
        GameScorer model = new GameScorer(GRID, TARGET, Games.additive(0.25, beta));
        Attribution a = new LimeExplainer(ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY).withRidgeAlpha(0))
                .explain(model, GameScorer.image(), TARGET, 42);

        assertThat(KernelShapExplainerTest.toDoubles(a.segmentWeights())).containsExactly(beta, within(1e-5));
        assertThat(a.intercept()).isCloseTo(0.25, within(1e-5));
        assertThat(a.baseValue()).isEqualTo(a.intercept());
        assertThat(a.limeR2()).isGreaterThan(0.999999);
        assertThat(a.fullValue()).isCloseTo(0.25 + sum(beta), within(1e-6));
        assertThat(a.samples()).isEqualTo(1000);
        assertThat(a.method()).isEqualTo(ExplanationStored.LIME);
        assertThat(a.efficiencyGap()).isNull();
    }

    @Test
    void theDefaultRidgeShrinksTheCoefficientsOnlySlightly() {
        double[] beta = Games.coefficients(49, 22);
        GameScorer model = new GameScorer(GRID, TARGET, Games.additive(0.25, beta));
        Attribution a = new LimeExplainer(ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY)).explain(model, GameScorer.image(), TARGET, 42);
        double[] found = KernelShapExplainerTest.toDoubles(a.segmentWeights());
        // alpha = 1 against a weighted design of about 1000 x 0.5 x 0.25 per coefficient: about 1% shrinkage
        assertThat(found).containsExactly(beta, within(0.03 * KernelShapExplainerTest.maxAbs(beta)));
        assertThat(KernelShapExplainerTest.maxAbsDifference(found, beta)).isGreaterThan(1e-6);
        assertThat(a.limeR2()).isGreaterThan(0.99);
        // all 1000 masked images in batches of 256, and the 50 of the deletion curve in one more call
        assertThat(model.largestBatch()).isEqualTo(256);
        assertThat(model.calls()).isEqualTo(4 + 1);
    }

    @Test
    void sameSeedGivesTheSameExplanationAndAnotherSeedADifferentOne() {
        ToDoubleFunction<boolean[]> game = Games.withInteractions(Games.coefficients(49, 23));
        LimeExplainer lime = new LimeExplainer(ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY));
        Attribution a = lime.explain(new GameScorer(GRID, TARGET, game), GameScorer.image(), TARGET, 7);
        Attribution b = lime.explain(new GameScorer(GRID, TARGET, game), GameScorer.image(), TARGET, 7);
        Attribution c = lime.explain(new GameScorer(GRID, TARGET, game), GameScorer.image(), TARGET, 8);
        assertThat(a.segmentWeights()).containsExactly(b.segmentWeights());
        assertThat(a.attributions()).containsExactly(b.attributions());
        assertThat(a.deletionCurve()).containsExactly(b.deletionCurve());
        assertThat(a.intercept()).isEqualTo(b.intercept());
        assertThat(a.limeR2()).isEqualTo(b.limeR2());
        assertThat(a.segmentWeights()).isNotEqualTo(c.segmentWeights());
        assertThat(a.intercept()).isNotEqualTo(c.intercept());
    }

    @Test
    void perPixelAttributionsSpreadEachSegmentWeightEvenly() {
        double[] beta = Games.coefficients(49, 24);
        Attribution a = new LimeExplainer(ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY))
                .explain(new GameScorer(GRID, TARGET, Games.additive(0.25, beta)), GameScorer.image(), TARGET, 1);
        for (int p = 0; p < Pixels.COUNT; p++) {
            assertThat(a.attributions()[p]).isCloseTo(a.segmentWeights()[a.segments()[p]] / 16, within(1e-7f));
        }
    }

    @Test
    void masksAndKernelFollowTheReferenceLime() {
        boolean[][] masks = LimeExplainer.randomMasks(1000, 49, 3);
        assertThat(KernelShapExplainerTest.count(masks[0])).isEqualTo(49);
        long visible = 0;
        for (boolean[] mask : masks) {
            visible += KernelShapExplainerTest.count(mask);
        }
        assertThat(visible / (1000.0 * 49)).isCloseTo(0.5, within(0.02));
        // cosine distance to the all-ones mask: 0 for all visible, 1 - sqrt(1/4) = 0.5 for a quarter visible
        assertThat(LimeExplainer.kernelWeight(49, 49, 0.25)).isEqualTo(1.0);
        assertThat(LimeExplainer.kernelWeight(4, 16, 0.25)).isCloseTo(Math.sqrt(Math.exp(-0.25 / 0.0625)),
                within(1e-12));
        assertThat(LimeExplainer.kernelWeight(0, 16, 0.25)).isCloseTo(Math.exp(-8), within(1e-12));
    }

    @Test
    void weightedR2MatchesItsDefinition() {
        double[][] x = {{0}, {1}, {2}, {3}};
        double[] y = {0, 1, 2, 4};
        double[] w = {1, 1, 1, 3};
        // prediction 1.0 * x: residuals 0, 0, 0, 1 (weighted 3); weighted mean 2.5, total 6.25 + 2.25 + 0.25 + 6.75
        assertThat(LimeExplainer.weightedR2(x, y, w, 0, new double[] {1})).isCloseTo(1 - 3 / 15.5, within(1e-12));
        assertThat(LimeExplainer.weightedR2(x, new double[] {2, 2, 2, 2}, w, 2, new double[] {0})).isEqualTo(1.0);
    }

    static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
