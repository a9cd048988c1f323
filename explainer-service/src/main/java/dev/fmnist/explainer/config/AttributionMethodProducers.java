package dev.fmnist.explainer.config;

import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.GridSegmentation;
import dev.fmnist.xai.KernelShapExplainer;
import dev.fmnist.xai.LimeExplainer;
import dev.fmnist.xai.Segmentation;
import dev.fmnist.xai.SlicSegmentation;
import dev.fmnist.xai.TreeShapExplainer;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * The explanation algorithms (module {@code xai}, package {@code dev.fmnist.xai}, plain Java) as beans, with the settings of
 * {@code explainer.lime.*}, {@code explainer.kernel-shap.*}, {@code explainer.segmentation.*},
 * {@code explainer.max-batch} and {@code explainer.deadline}. {@code service.AttributionMethods} collects them by name.
 */
public class AttributionMethodProducers {

    @Produces
    @Singleton
    ExplainerSettings settings(ExplainerConfig config) {
        return new ExplainerSettings(config.lime().samples(), config.lime().kernelWidth(), config.lime().ridgeAlpha(),
                config.kernelShap().budget(), config.maxBatch(), segmentation(config.segmentation()), config.deadline());
    }

    /**
     * {@code grid} and {@code slic} with their own keys, or any {@link Segmentation#name()} the benchmarks
     * measure ({@code grid3}, {@code slic60c0.5}, {@code qs1d10r0.5}).
     */
    static Segmentation segmentation(ExplainerConfig.Segmentation s) {
        String kind = s.kind().trim().toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "grid" -> new GridSegmentation(s.gridCell());
            case "slic" -> new SlicSegmentation(s.slicSegments(), s.slicCompactness());
            default -> {
                try {
                    yield Segmentation.parse(kind);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("explainer.segmentation.kind must be grid, slic or a segmentation "
                            + "name (gridN, slicNcC, qsKdDrR, e.g. grid3, slic50c0.5, qs1d10r0.5), got '" + s.kind() + "'");
                }
            }
        };
    }

    @Produces
    @Singleton
    LimeExplainer lime(ExplainerSettings settings) {
        return new LimeExplainer(settings);
    }

    @Produces
    @Singleton
    KernelShapExplainer kernelShap(ExplainerSettings settings) {
        return new KernelShapExplainer(settings);
    }

    @Produces
    @Singleton
    TreeShapExplainer treeShap(ExplainerSettings settings) {
        return new TreeShapExplainer(settings);
    }
}
