package dev.fmnist.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainingDataTest {
    static FashionMnist data;

    @BeforeAll
    static void load() {
        data = FashionMnist.load();
    }

    @Test
    void fullSplitIsStratifiedNinetyTenOfTheTrainingImages() {
        TrainingData split = TrainingData.of(data.train(), 42);
        assertThat(split.train().size()).isEqualTo(54_000);
        assertThat(split.validation().size()).isEqualTo(6_000);
        assertThat(split.validation().classCounts()).containsOnly(600);
        assertThat(split.train().classCounts()).containsOnly(5_400);
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        TrainingData a = TrainingData.of(data.train(), 7, 2_000);
        TrainingData b = TrainingData.of(data.train(), 7, 2_000);
        TrainingData c = TrainingData.of(data.train(), 8, 2_000);
        assertThat(a.validation().pixels()).isEqualTo(b.validation().pixels());
        assertThat(Arrays.equals(a.validation().pixels(), c.validation().pixels())).isFalse();
        assertThat(a.train().size() + a.validation().size()).isEqualTo(2_000);
        assertThat(a.validation().classCounts()).containsOnly(20);
    }

    @Test
    void refitTrainsOnTheTrainingAndValidationImagesTogetherAndHasNoValidation() {
        TrainingData split = TrainingData.of(data.train(), 42);
        TrainingData refit = split.refit();
        assertThat(split.hasValidation()).isTrue();
        assertThat(refit.hasValidation()).isFalse();
        assertThat(refit.validation().size()).isZero();
        // all 60,000 official training images, each once: the split's two parts in order, nothing else
        assertThat(refit.train().size()).isEqualTo(60_000);
        assertThat(refit.train().classCounts()).containsOnly(6_000);
        assertThat(Arrays.copyOf(refit.train().pixels(), split.train().pixels().length)).isEqualTo(split.train().pixels());
        assertThat(Arrays.copyOfRange(refit.train().labels(), 54_000, 60_000)).isEqualTo(split.validation().labels());
        assertThat(sortedImages(refit.train())).isEqualTo(sortedImages(data.train()));
    }

    /** The images as strings, sorted: equal for two sets of the same images in any order. */
    private static java.util.List<String> sortedImages(dev.fmnist.common.data.LabelledImages images) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(images.label(i) + ":" + Arrays.toString(images.image(i)));
        }
        java.util.Collections.sort(out);
        return out;
    }
}
