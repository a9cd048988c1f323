package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExplainerSettingsTest {
    static final Segmentation GRID = new GridSegmentation(4);

    @Test
    void defaultsAreTheDocumentedOnes() {
        ExplainerSettings s = ExplainerSettings.defaults();
        assertThat(s.limeSamples()).isEqualTo(1000);
        assertThat(s.kernelWidth()).isEqualTo(0.25);
        assertThat(s.ridgeAlpha()).isEqualTo(1.0);
        assertThat(s.batchSize()).isEqualTo(256);
        assertThat(s.segmentation()).isEqualTo(GRID);
        assertThat(s.shapBudgetFor(49)).isEqualTo(2146);
        assertThat(s.withShapBudget(500).shapBudgetFor(49)).isEqualTo(500);
        assertThat(s.shapBudgetFactor()).isEqualTo(1.0);
    }

    @Test
    void aBudgetFactorMultipliesTheAutomaticOrTheSetBudgetAndSurvivesTheOtherSettings() {
        ExplainerSettings s = ExplainerSettings.defaults().withShapBudgetFactor(4);
        assertThat(s.shapBudgetFor(49)).isEqualTo(4 * 2146);
        assertThat(s.withShapBudget(500).shapBudgetFor(49)).isEqualTo(2000);
        assertThat(s.withOutputSpace(OutputSpace.PROBABILITY).withBatchSize(64).shapBudgetFor(30)).isEqualTo(4 * 2108);
        assertThat(ExplainerSettings.defaults().withShapBudget(3).withShapBudgetFactor(0.1).shapBudgetFor(30))
                .as("never below the empty and full image and one coalition").isEqualTo(ExplainerSettings.MIN_SHAP_BUDGET);
        assertThatThrownBy(() -> s.withShapBudgetFactor(0)).hasMessageContaining("KernelSHAP budget factor");
        assertThatThrownBy(() -> s.withShapBudgetFactor(Double.POSITIVE_INFINITY)).hasMessageContaining("budget factor");
    }

    @Test
    void badValuesAreRefusedWithMessagesThatNameTheSetting() {
        assertThatThrownBy(() -> new ExplainerSettings(1, 0.25, 1, 0, 256, GRID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LIME needs at least 2 samples");
        assertThatThrownBy(() -> new ExplainerSettings(1000, 0, 1, 0, 256, GRID))
                .hasMessageContaining("kernel width");
        assertThatThrownBy(() -> new ExplainerSettings(1000, Double.NaN, 1, 0, 256, GRID))
                .hasMessageContaining("kernel width");
        assertThatThrownBy(() -> new ExplainerSettings(1000, 0.25, -1, 0, 256, GRID))
                .hasMessageContaining("ridge alpha");
        assertThatThrownBy(() -> new ExplainerSettings(1000, 0.25, 1, 2, 256, GRID))
                .hasMessageContaining("KernelSHAP budget must be 0 (automatic");
        assertThatThrownBy(() -> new ExplainerSettings(1000, 0.25, 1, 0, 0, GRID))
                .hasMessageContaining("batch size");
        assertThatThrownBy(() -> new ExplainerSettings(1000, 0.25, 1, 0, 256, null))
                .hasMessageContaining("segmentation");
    }
}
