package dev.fmnist.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DataSplitTest {
    static FashionMnist data;

    @BeforeAll
    static void load() {
        data = FashionMnist.load();
    }

    @Test
    void fullSplitIsStratifiedNinetyTen() {
        DataSplit split = DataSplit.of(data, 42);
        assertThat(split.train().size()).isEqualTo(54_000);
        assertThat(split.validation().size()).isEqualTo(6_000);
        assertThat(split.test().size()).isEqualTo(10_000);
        assertThat(split.validation().classCounts()).containsOnly(600);
        assertThat(split.train().classCounts()).containsOnly(5_400);
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        DataSplit a = DataSplit.of(data, 7, 2_000);
        DataSplit b = DataSplit.of(data, 7, 2_000);
        DataSplit c = DataSplit.of(data, 8, 2_000);
        assertThat(a.validation().pixels()).isEqualTo(b.validation().pixels());
        assertThat(Arrays.equals(a.validation().pixels(), c.validation().pixels())).isFalse();
        assertThat(a.train().size() + a.validation().size()).isEqualTo(2_000);
        assertThat(a.validation().classCounts()).containsOnly(20);
        assertThat(Arrays.stream(a.test().classCounts()).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(33, 34));
    }
}
