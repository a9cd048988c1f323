package dev.fmnist.xai;

import dev.fmnist.runtime.scoring.ModelScorer;

/**
 * What the three methods share: their settings, and the steps before the algorithm proper (the
 * argument checks, the segmentation of the image and the scorer of masked images).
 */
abstract sealed class SegmentExplainer implements AttributionMethod
        permits LimeExplainer, KernelShapExplainer, TreeShapExplainer {
    final ExplainerSettings settings;

    SegmentExplainer(ExplainerSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings are missing");
        }
        this.settings = settings;
    }

    /** Any model: LIME and KernelSHAP only score images. */
    @Override
    public boolean supports(ModelScorer model) {
        return model != null;
    }

    @Override
    public final Attribution explain(ModelScorer model, float[] image, int targetClass, long seed) {
        return explain(model, image, targetClass, seed, settings.outputSpace());
    }

    @Override
    public final Attribution explain(ModelScorer model, float[] image, int targetClass, long seed, OutputSpace space) {
        return explain(model, image, targetClass, seed, space, settings.shapBudgetFactor());
    }

    @Override
    public final Attribution explain(ModelScorer model, float[] image, int targetClass, long seed, OutputSpace space,
                                     double shapBudgetFactor) {
        long start = System.nanoTime();
        Explanations.require(model, image, targetClass);
        if (space == null) {
            throw new IllegalArgumentException("output space is missing (probability or log_odds)");
        }
        Segments segments = Segments.of(settings.segmentation(), image);
        MaskedScorer scorer = new MaskedScorer(model, image, segments, targetClass,
                settings.withOutputSpace(space).withShapBudgetFactor(shapBudgetFactor));
        return attribute(model, image, targetClass, seed, segments, scorer, start);
    }

    /**
     * The algorithm, once the arguments are checked; {@code start} is {@link System#nanoTime()} at the call,
     * {@code scorer} plays the game in the explanation's output space ({@link MaskedScorer#outputSpace()}).
     */
    abstract Attribution attribute(ModelScorer model, float[] image, int targetClass, long seed, Segments segments,
                                   MaskedScorer scorer, long start);
}
