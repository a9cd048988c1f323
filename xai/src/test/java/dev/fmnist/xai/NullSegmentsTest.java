package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fmnist.common.Pixels;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Null segments: a segment whose pixels are all the fill value 0 is left out of LIME's and
 * KernelSHAP's sampling and regression, gets exactly 0, and the deletion curve skips it.
 */
class NullSegmentsTest {
    static final int TARGET = 4;
    static final Segmentation GRID = new GridSegmentation(4); // 49 cells of 4x4 pixels

    /** The all-ones image with the cells in {@code blank} (grid cell ids) set to 0. */
    static float[] imageWithBlankCells(boolean[] blank) {
        float[] image = GameScorer.image();
        short[] ids = GRID.segment(image);
        for (int p = 0; p < Pixels.COUNT; p++) {
            if (blank[ids[p]]) {
                image[p] = 0;
            }
        }
        return image;
    }

    /** Every cell of the border ring and a few inner ones: 29 of 49 cells blank, 20 left. */
    static boolean[] blankCells() {
        boolean[] blank = new boolean[49];
        for (int c = 0; c < 49; c++) {
            int row = c / 7;
            int col = c % 7;
            blank[c] = row == 0 || row == 6 || col == 0 || col == 6 || c == 16 || c == 24 || c == 32
                    || c == 10 || c == 38;
        }
        return blank;
    }

    @Test
    void backgroundSegmentsGetExactZerosAndTheRestMeetEfficiency() {
        boolean[] blank = blankCells();
        float[] image = imageWithBlankCells(blank);
        ToDoubleFunction<boolean[]> game = Games.withInteractions(Games.coefficients(49, 8));
        ExplainerSettings settings = ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY);
        int nonNull = 0;
        for (boolean b : blank) {
            nonNull += b ? 0 : 1;
        }
        assertThat(nonNull).isEqualTo(20);

        GameScorer model = new GameScorer(GRID, TARGET, game);
        Attribution shap = new KernelShapExplainer(settings).explain(model, image, TARGET, 5);
        Attribution lime = new LimeExplainer(settings).explain(model, image, TARGET, 5);
        for (Attribution a : new Attribution[] {shap, lime}) {
            for (int s = 0; s < 49; s++) {
                if (blank[s]) {
                    assertThat(a.segmentWeights()[s]).as(a.method() + " null segment " + s).isEqualTo(0f);
                }
            }
            for (int p = 0; p < Pixels.COUNT; p++) {
                if (blank[a.segments()[p]]) {
                    assertThat(a.attributions()[p]).isEqualTo(0f);
                }
            }
            // the deletion curve removes the 20 non-null segments only
            assertThat(a.deletionCurve()).hasSize(nonNull + 1);
        }
        // KernelSHAP: the 20 others sum to f(x) - f(baseline), and the budget counts them only
        double sum = 0;
        for (float w : shap.segmentWeights()) {
            sum += w;
        }
        assertThat(sum).isCloseTo(shap.fullValue() - shap.baseValue(), within(1e-6));
        assertThat(shap.efficiencyGap()).isLessThan(1e-6);
        assertThat(shap.samples()).isEqualTo(2 * nonNull + 2048);
        assertThat(lime.samples()).isEqualTo(settings.limeSamples());

        // and they are close to the Shapley values of the game the 20 players actually play
        int[] active = new int[nonNull];
        for (int s = 0, i = 0; s < 49; s++) {
            if (!blank[s]) {
                active[i++] = s;
            }
        }
        double[] exact = Shapley.values(nonNull, z -> {
            boolean[] visible = new boolean[49];
            for (int i = 0; i < active.length; i++) {
                visible[active[i]] = z[i];
            }
            return game.applyAsDouble(visible);
        });
        double[] estimate = new double[nonNull];
        for (int i = 0; i < nonNull; i++) {
            estimate[i] = shap.segmentWeights()[active[i]];
        }
        // the game's values pass through float probabilities; the sampling error is far below 5 %
        assertThat(ShapleyValuesTest.relativeL2(estimate, exact)).isLessThan(0.05);
    }

    @Test
    void nullSegmentsAreFoundByTheirPixels() {
        boolean[] blank = blankCells();
        float[] image = imageWithBlankCells(blank);
        Segments segments = Segments.of(GRID, image);
        assertThat(segments.nullSegments(image, 0f)).containsExactly(blank);
        MaskedScorer scorer = new MaskedScorer(new GameScorer(GRID, TARGET, z -> 0.5), image, segments, TARGET, 16);
        assertThat(scorer.players()).isEqualTo(20);
        double[] back = scorer.toSegments(new double[20]);
        assertThat(back).hasSize(49);
        // a pixel at 0 inside a lit segment does not make it null
        image[Pixels.COUNT / 2] = 0;
        assertThat(Segments.of(GRID, image).nullSegments(image, 0f)).containsExactly(blank);
    }

    @Test
    void aBlankImageGetsAllZerosWithoutSampling() {
        float[] image = new float[Pixels.COUNT];
        GameScorer model = new GameScorer(GRID, TARGET, z -> 0.3);
        Attribution shap = new KernelShapExplainer(ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY)).explain(model, image, TARGET, 1);
        Attribution lime = new LimeExplainer(ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY)).explain(model, image, TARGET, 1);
        for (Attribution a : new Attribution[] {shap, lime}) {
            for (float w : a.segmentWeights()) {
                assertThat(w).isEqualTo(0f);
            }
            assertThat(a.deletionCurve()).hasSize(1);
        }
        assertThat(shap.samples()).isEqualTo(2);
        assertThat(shap.efficiencyGap()).isLessThan(1e-9);
    }
}
