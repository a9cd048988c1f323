package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class OutputSpaceTest {

    @Test
    void logOddsIsTheCentredLogitOfASoftmax() {
        double[] logits = {2.0, -1.0, 0.5, 3.0, -4.0, 0.0, 1.0, -2.0, 0.25, -0.5};
        double max = 3.0;
        double sum = 0;
        for (double z : logits) {
            sum += Math.exp(z - max);
        }
        float[] probabilities = new float[10];
        for (int j = 0; j < 10; j++) {
            probabilities[j] = (float) (Math.exp(logits[j] - max) / sum);
        }
        for (int c = 0; c < 10; c++) {
            assertThat(OutputSpace.LOG_ODDS.of(probabilities, 0, c)).isCloseTo(OutputSpace.centred(logits, c), within(1e-5));
            assertThat(OutputSpace.PROBABILITY.of(probabilities, 0, c)).isEqualTo(probabilities[c]);
        }
        // the offset selects one image of a batch
        float[] batch = new float[20];
        System.arraycopy(probabilities, 0, batch, 10, 10);
        assertThat(OutputSpace.LOG_ODDS.of(batch, 10, 3)).isEqualTo(OutputSpace.LOG_ODDS.of(probabilities, 0, 3));
    }

    @Test
    void aProbabilityOfZeroIsClampedToTheFloorNotInfinite() {
        float[] probabilities = new float[10];
        probabilities[0] = 1f;
        double v = OutputSpace.LOG_ODDS.of(probabilities, 0, 0);
        assertThat(v).isFinite().isCloseTo(-0.9 * Math.log(OutputSpace.PROBABILITY_FLOOR), within(1e-9));
        assertThat(OutputSpace.LOG_ODDS.of(probabilities, 0, 1)).isFinite().isNegative();
    }

    @Test
    void namesParseAndOthersAreRejected() {
        assertThat(OutputSpace.parse("log_odds")).isEqualTo(OutputSpace.LOG_ODDS);
        assertThat(OutputSpace.parse(" Log-Odds ")).isEqualTo(OutputSpace.LOG_ODDS);
        assertThat(OutputSpace.parse("probability")).isEqualTo(OutputSpace.PROBABILITY);
        assertThat(OutputSpace.LOG_ODDS.column()).isEqualTo("log_odds");
        assertThatThrownBy(() -> OutputSpace.parse("margin")).hasMessage(
                "output space must be probability or log_odds, got 'margin'");
        assertThatThrownBy(() -> ExplainerSettings.defaults().withOutputSpace(null)).hasMessageContaining("output space");
    }

    /**
     * The game of a hand-written model in log-odds: v(S) is the transform of the game's probability,
     * and KernelSHAP (sampled: 49 players) keeps efficiency in that space.
     */
    @Test
    void kernelShapInLogOddsPlaysTheTransformedGameAndKeepsEfficiency() {
        GridSegmentation grid = new GridSegmentation(GridSegmentation.DEFAULT_CELL);
        int target = 4;
        ToDoubleFunction<boolean[]> game = Games.withInteractions(Games.coefficients(49, 21));
        GameScorer model = new GameScorer(grid, target, game);
        ExplainerSettings settings = ExplainerSettings.defaults().withSegmentation(grid)
                .withOutputSpace(OutputSpace.LOG_ODDS);
        MaskedScorer scorer = MaskedScorer.of(model, GameScorer.image(), target, settings);
        boolean[][] masks = LimeExplainer.randomMasks(30, scorer.players(), 9);
        double[] v = scorer.values(masks);
        for (int i = 0; i < masks.length; i++) {
            double p = game.applyAsDouble(masks[i]);
            // the other nine classes share 1 - p evenly (GameScorer), so the centred log-probability is
            // log p - (log p + 9 log((1 - p) / 9)) / 10 = 0.9 (log p - log((1 - p) / 9))
            double expected = 0.9 * (Math.log((float) p) - Math.log((float) ((1 - p) / 9)));
            assertThat(v[i]).as("mask " + i).isCloseTo(expected, within(1e-5));
        }
        Attribution a = new KernelShapExplainer(settings).explain(model, GameScorer.image(), target, 17);
        assertThat(a.outputSpace()).isEqualTo(OutputSpace.LOG_ODDS);
        assertThat(a.samples()).isEqualTo(2 * 49 + 2048);
        assertThat(a.efficiencyGap()).isLessThan(1e-4);
        double p0 = game.applyAsDouble(new boolean[49]);
        assertThat(a.baseValue()).isCloseTo(0.9 * (Math.log((float) p0) - Math.log((float) ((1 - p0) / 9))), within(1e-5));
        // the deletion curve is in the same space: it starts at f(x)
        assertThat((double) a.deletionCurve()[0]).isCloseTo(a.fullValue(), within(1e-5));
    }
}
