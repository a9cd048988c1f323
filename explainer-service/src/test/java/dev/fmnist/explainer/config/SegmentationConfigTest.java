package dev.fmnist.explainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.xai.GridSegmentation;
import dev.fmnist.xai.QuickshiftSegmentation;
import dev.fmnist.xai.SlicSegmentation;
import org.junit.jupiter.api.Test;

/** explainer.segmentation.*: grid and slic with their keys, or a segmentation's name. */
class SegmentationConfigTest {

    record Keys(String kind, int gridCell, int slicSegments, double slicCompactness)
            implements ExplainerConfig.Segmentation {
    }

    @Test
    void kindsWithTheirKeysAndNamesAsTheBenchmarksWriteThem() {
        assertThat(AttributionMethodProducers.segmentation(new Keys("grid", 4, 50, 0.5))).isEqualTo(new GridSegmentation(4));
        assertThat(AttributionMethodProducers.segmentation(new Keys(" SLIC ", 4, 60, 0.2)))
                .isEqualTo(new SlicSegmentation(60, 0.2));
        assertThat(AttributionMethodProducers.segmentation(new Keys("grid3", 4, 50, 0.5))).isEqualTo(new GridSegmentation(3));
        assertThat(AttributionMethodProducers.segmentation(new Keys("slic50c0.5", 4, 60, 0.2)))
                .isEqualTo(new SlicSegmentation(50, 0.5));
        assertThat(AttributionMethodProducers.segmentation(new Keys("qs1d10r0.5", 4, 50, 0.5)))
                .isEqualTo(new QuickshiftSegmentation(1, 10, 0.5));
        assertThatThrownBy(() -> AttributionMethodProducers.segmentation(new Keys("watershed", 4, 50, 0.5)))
                .hasMessage("explainer.segmentation.kind must be grid, slic or a segmentation name (gridN, slicNcC, "
                        + "qsKdDrR, e.g. grid3, slic50c0.5, qs1d10r0.5), got 'watershed'");
    }
}
