package dev.fmnist.xai;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.Arrays;

/**
 * LIME and KernelSHAP of one image from one set of model evaluations, for a model that is explained by
 * both (issue 18, item 6: the model calls are most of their cost).
 *
 * <p>KernelSHAP is exactly {@link KernelShapExplainer}: the same coalitions from the same seed, the same
 * estimator, the same values. LIME keeps its definition, the reference's weighted ridge surrogate over
 * masks that show each segment with probability 1/2, but estimates it from fewer masks of its own
 * ({@code ownLimeSamples}, the all-visible one first) together with every coalition KernelSHAP scored,
 * the empty and full one included. KernelSHAP's coalitions are not drawn from LIME's distribution, so
 * each sample gets an importance weight (multiple importance sampling, balance heuristic, Veach and
 * Guibas 1995): for a mask z of size s over k players,
 * {@code R / (n + q(s) 2^k)}, where n is LIME's random masks, {@code q(s)} the chance that KernelSHAP's
 * sampler scores a given coalition of size s ({@link KernelShapExplainer.Coalitions#inclusionBySize()}),
 * {@code 2^-k} the chance of z under LIME's sampler and R = {@code settings.limeSamples() - 1}. The
 * weighted sum over the pool is then an unbiased estimate of what R masks of LIME's own would sum to, so
 * the surrogate solves the same problem as the reference with {@code settings.limeSamples()} samples,
 * its ridge penalty included, from more samples: KernelSHAP's middle sizes count almost fully, its
 * smallest and largest, which LIME's sampler almost never draws, almost not at all. With
 * {@code ownLimeSamples = settings.limeSamples()} and no coalitions this is the reference exactly (every
 * importance weight 1). How close the pooled surrogate is to LIME's converged surrogate, against the
 * reference's own 1,000 masks, is measured by {@code benchmarks} {@code SharedSamplesChoice}.
 *
 * <p>Deterministic: the same model, image, class and the two seeds give the same pair, whichever
 * method a caller wants first. Both {@link Attribution#samples()} count the rows of their own fit;
 * both elapsed times run from the start of the pair.
 */
public final class LimeAndKernelShap {
    /** LIME's own masks when it shares KernelSHAP's evaluations (chosen on validation images, docs/explainer.md). */
    public static final int DEFAULT_OWN_LIME_SAMPLES = 100;

    /** The two explanations of one image. */
    public record Pair(Attribution lime, Attribution kernelShap) {
    }

    private final ExplainerSettings settings;
    private final int ownLimeSamples;

    /**
     * @param settings       both methods' settings; {@code limeSamples()} is the reference sample count whose
     *                       surrogate LIME estimates
     * @param ownLimeSamples LIME's own masks, the all-visible one included, 1 to {@code settings.limeSamples()}
     */
    public LimeAndKernelShap(ExplainerSettings settings, int ownLimeSamples) {
        if (settings == null) {
            throw new IllegalArgumentException("settings are missing");
        }
        if (ownLimeSamples < 1 || ownLimeSamples > settings.limeSamples()) {
            throw new IllegalArgumentException("LIME's own samples beside KernelSHAP's must be 1 to "
                    + settings.limeSamples() + " (its sample count), got " + ownLimeSamples);
        }
        this.settings = settings;
        this.ownLimeSamples = ownLimeSamples;
    }

    public LimeAndKernelShap(ExplainerSettings settings) {
        this(settings, Math.min(DEFAULT_OWN_LIME_SAMPLES, settings.limeSamples()));
    }

    public int ownLimeSamples() {
        return ownLimeSamples;
    }

    /** Both explanations in the settings' output space. */
    public Pair explain(ModelScorer model, float[] image, int targetClass, long limeSeed, long shapSeed) {
        return explain(model, image, targetClass, limeSeed, shapSeed, settings.outputSpace());
    }

    /**
     * Both explanations of {@code targetClass} in {@code space}; the seeds are those each method would get
     * alone ({@link LimeExplainer}, {@link KernelShapExplainer}).
     */
    public Pair explain(ModelScorer model, float[] image, int targetClass, long limeSeed, long shapSeed,
                        OutputSpace space) {
        return explain(model, image, targetClass, limeSeed, shapSeed, space, settings.shapBudgetFactor());
    }

    /** Both explanations in {@code space}, KernelSHAP's budget times {@code shapBudgetFactor}. */
    public Pair explain(ModelScorer model, float[] image, int targetClass, long limeSeed, long shapSeed,
                        OutputSpace space, double shapBudgetFactor) {
        long start = System.nanoTime();
        Explanations.require(model, image, targetClass);
        if (space == null) {
            throw new IllegalArgumentException("output space is missing (probability or log_odds)");
        }
        ExplainerSettings s = settings.withOutputSpace(space).withShapBudgetFactor(shapBudgetFactor);
        Segments segments = Segments.of(s.segmentation(), image);
        MaskedScorer scorer = new MaskedScorer(model, image, segments, targetClass, s);
        int k = scorer.players();
        KernelShapExplainer.Coalitions plan = KernelShapExplainer.plan(k, s.shapBudgetFor(k) - 2, shapSeed);
        boolean[][] lime = LimeExplainer.randomMasks(ownLimeSamples, k, limeSeed);
        // one pass over the model: the empty and full coalition, KernelSHAP's, then LIME's own but the first
        // (the all-visible one, the full coalition again)
        int coalitions = plan.masks().length;
        boolean[][] all = new boolean[2 + coalitions + ownLimeSamples - 1][];
        all[0] = scorer.uniformMask(false);
        all[1] = scorer.uniformMask(true);
        System.arraycopy(plan.masks(), 0, all, 2, coalitions);
        System.arraycopy(lime, 1, all, 2 + coalitions, ownLimeSamples - 1);
        double[] values = scorer.targetValues(all);
        double empty = values[0];
        double full = values[1];

        double[] phi = scorer.toSegments(KernelShapExplainer.solve(plan, Arrays.copyOfRange(values, 2, 2 + coalitions),
                empty, full));
        float[] shapWeights = Explanations.toFloats(phi);
        Attribution shap = Explanations.assemble(ExplanationStored.KERNEL_SHAP, s.segmentation(), targetClass, scorer,
                shapWeights, segments.spread(phi), empty, full, null, null,
                Explanations.efficiencyGap(shapWeights, empty, full), 2 + coalitions, start);

        // LIME's pool: its all-visible mask (weight 1, as the reference), then every other scored mask
        boolean[][] pool = new boolean[all.length + 1][];
        double[] y = new double[pool.length];
        double[] sampling = new double[pool.length];
        pool[0] = all[1];
        y[0] = full;
        sampling[0] = 1;
        double[] importance = importanceBySize(k, ownLimeSamples - 1, settings.limeSamples() - 1, plan.inclusionBySize());
        for (int i = 0; i < all.length; i++) {
            pool[i + 1] = all[i];
            y[i + 1] = values[i];
            sampling[i + 1] = importance[size(all[i])];
        }
        LimeExplainer.Surrogate fit = LimeExplainer.surrogate(pool, y, sampling, k, s);
        double[] weights = scorer.toSegments(fit.coefficients());
        Attribution limeAttribution = Explanations.assemble(ExplanationStored.LIME, s.segmentation(), targetClass,
                scorer, Explanations.toFloats(weights), segments.spread(weights), fit.intercept(), full, fit.intercept(),
                fit.r2(), null, pool.length, start);
        return new Pair(limeAttribution, shap);
    }

    /**
     * The importance weight of a pooled mask of each size s = 0..k: {@code reference / (own + q(s) 2^k)} (class
     * comment), for {@code own} random LIME masks estimating the sum over {@code reference} of them.
     */
    static double[] importanceBySize(int k, int own, int reference, double[] inclusionBySize) {
        double[] out = new double[k + 1];
        for (int size = 0; size <= k; size++) {
            double denominator = own + Math.scalb(inclusionBySize[size], k); // q(s) 2^k: at most 2^784, finite
            out[size] = denominator == 0 ? 0 : reference / denominator;
        }
        return out;
    }

    private static int size(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
