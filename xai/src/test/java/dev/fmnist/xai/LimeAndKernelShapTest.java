package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fmnist.common.messaging.ExplanationStored;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class LimeAndKernelShapTest {
    static final int TARGET = 3;
    static final Segmentation GRID = new GridSegmentation(4);
    static final ExplainerSettings PROBABILITY = ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY);

    @Test
    void kernelShapInThePairIsKernelShapAlone() {
        ToDoubleFunction<boolean[]> game = Games.withInteractions(Games.coefficients(49, 31));
        GameScorer model = new GameScorer(GRID, TARGET, game);
        Attribution alone = new KernelShapExplainer(PROBABILITY).explain(model, GameScorer.image(), TARGET, 7);
        LimeAndKernelShap.Pair pair = new LimeAndKernelShap(PROBABILITY).explain(model, GameScorer.image(), TARGET, 5, 7);

        assertThat(pair.kernelShap().segmentWeights()).containsExactly(alone.segmentWeights());
        assertThat(pair.kernelShap().baseValue()).isEqualTo(alone.baseValue());
        assertThat(pair.kernelShap().fullValue()).isEqualTo(alone.fullValue());
        assertThat(pair.kernelShap().samples()).isEqualTo(alone.samples());
        assertThat(pair.kernelShap().method()).isEqualTo(ExplanationStored.KERNEL_SHAP);
        assertThat(pair.lime().method()).isEqualTo(ExplanationStored.LIME);
        assertThat(pair.lime().samples()).as("LIME's rows: its own masks and every KernelSHAP evaluation")
                .isEqualTo(LimeAndKernelShap.DEFAULT_OWN_LIME_SAMPLES + alone.samples());
    }

    @Test
    void limeFromKernelShapsSamplesAloneRecoversALinearModelExactly() {
        double[] beta = Games.coefficients(49, 32);
        GameScorer model = new GameScorer(GRID, TARGET, Games.additive(0.25, beta));
        LimeAndKernelShap.Pair pair = new LimeAndKernelShap(PROBABILITY.withRidgeAlpha(0), 1)
                .explain(model, GameScorer.image(), TARGET, 1, 2);

        assertThat(KernelShapExplainerTest.toDoubles(pair.lime().segmentWeights())).containsExactly(beta, within(1e-6));
        assertThat(pair.lime().intercept()).isCloseTo(0.25, within(1e-6));
        assertThat(pair.lime().limeR2()).isGreaterThan(0.999999);
    }

    @Test
    void limeInThePairEstimatesTheReferenceSurrogateAtLeastAsWellAsTheReference() {
        // ground truth: the reference objective (1,000 masks, ridge 1) from 100,000 masks, its ridge scaled with them
        ToDoubleFunction<boolean[]> game = Games.withInteractions(Games.coefficients(49, 33));
        GameScorer model = new GameScorer(GRID, TARGET, game);
        int many = 100_000;
        double[] truth = KernelShapExplainerTest.toDoubles(new LimeExplainer(PROBABILITY.withLimeSamples(many)
                .withRidgeAlpha((many - 1) / 999.0)).explain(model, GameScorer.image(), TARGET, 99).segmentWeights());
        double reference = 0;
        double shared = 0;
        double unweighted = 0;
        for (long seed = 1; seed <= 5; seed++) {
            reference += distance(new LimeExplainer(PROBABILITY).explain(model, GameScorer.image(), TARGET, seed), truth);
            LimeAndKernelShap pair = new LimeAndKernelShap(PROBABILITY, 1);
            shared += distance(pair.explain(model, GameScorer.image(), TARGET, seed, seed + 100).lime(), truth);
            unweighted += distance(pooledWithoutImportanceWeights(model, seed + 100), truth);
        }
        assertThat(shared).as("pooled, importance-weighted, against the reference's own 1,000 masks")
                .isLessThanOrEqualTo(reference);
        // the weights are what makes it LIME: the same pool fitted with the kernel alone finds another surrogate
        assertThat(unweighted).isGreaterThan(1.5 * shared); // 2.2 times here
    }

    @Test
    void importanceWeightsAreOneForLimesOwnMasksAloneAndVanishWhereKernelShapScoresEverything() {
        double[] none = new double[50];
        assertThat(LimeAndKernelShap.importanceBySize(49, 999, 999, none)).containsOnly(1.0);
        assertThat(LimeAndKernelShap.importanceBySize(49, 199, 999, none)).containsOnly(999 / 199.0);
        double[] all = new double[50];
        java.util.Arrays.fill(all, 1);
        assertThat(LimeAndKernelShap.importanceBySize(49, 0, 999, all)[1]).isCloseTo(999 * Math.pow(2, -49), within(1e-20));
    }

    @Test
    void theSameSeedsGiveTheSamePairAndLimesSeedMovesOnlyLime() {
        ToDoubleFunction<boolean[]> game = Games.withInteractions(Games.coefficients(49, 34));
        LimeAndKernelShap explainer = new LimeAndKernelShap(PROBABILITY, 100);
        LimeAndKernelShap.Pair a = explainer.explain(new GameScorer(GRID, TARGET, game), GameScorer.image(), TARGET, 1, 2);
        LimeAndKernelShap.Pair b = explainer.explain(new GameScorer(GRID, TARGET, game), GameScorer.image(), TARGET, 1, 2);
        LimeAndKernelShap.Pair c = explainer.explain(new GameScorer(GRID, TARGET, game), GameScorer.image(), TARGET, 3, 2);
        assertThat(b.lime().segmentWeights()).containsExactly(a.lime().segmentWeights());
        assertThat(b.kernelShap().segmentWeights()).containsExactly(a.kernelShap().segmentWeights());
        assertThat(c.kernelShap().segmentWeights()).containsExactly(a.kernelShap().segmentWeights());
        assertThat(c.lime().segmentWeights()).isNotEqualTo(a.lime().segmentWeights());
    }

    @Test
    void ownSamplesOutsideOneToLimesSampleCountAreRefused() {
        assertThatThrownBy(() -> new LimeAndKernelShap(PROBABILITY, 0))
                .hasMessage("LIME's own samples beside KernelSHAP's must be 1 to 1000 (its sample count), got 0");
        assertThatThrownBy(() -> new LimeAndKernelShap(PROBABILITY, 1001)).hasMessageContaining("got 1001");
    }

    /** KernelSHAP's coalitions of {@code seed} (and the empty and full one) fitted by LIME's kernel without importance weights. */
    private static Attribution pooledWithoutImportanceWeights(GameScorer model, long seed) {
        int k = model.segmentCount();
        KernelShapExplainer.Coalitions plan = KernelShapExplainer.plan(k, PROBABILITY.shapBudgetFor(k) - 2, seed);
        boolean[][] pool = new boolean[plan.masks().length + 2][];
        pool[0] = new boolean[k];
        java.util.Arrays.fill(pool[0], true);
        pool[1] = new boolean[k];
        System.arraycopy(plan.masks(), 0, pool, 2, plan.masks().length);
        MaskedScorer scorer = new MaskedScorer(model, GameScorer.image(), Segments.of(GRID, GameScorer.image()), TARGET, 256);
        double[] y = scorer.targetValues(pool);
        double[] ones = new double[pool.length];
        java.util.Arrays.fill(ones, 1);
        LimeExplainer.Surrogate fit = LimeExplainer.surrogate(pool, y, ones, k, PROBABILITY);
        float[] weights = Explanations.toFloats(fit.coefficients());
        return new Attribution("lime", TARGET, null, weights, null, 0, 0, null, null, null, null, 0, 0, 0,
                OutputSpace.PROBABILITY);
    }

    private static double distance(Attribution a, double[] truth) {
        double d = 0;
        double t = 0;
        for (int j = 0; j < truth.length; j++) {
            d += (a.segmentWeights()[j] - truth[j]) * (a.segmentWeights()[j] - truth[j]);
            t += truth[j] * truth[j];
        }
        return Math.sqrt(d / t);
    }
}
