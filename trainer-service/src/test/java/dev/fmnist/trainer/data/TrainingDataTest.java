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
}
