package dev.fmnist.common.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.FashionClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads the real dataset (Debian's dataset-fashion-mnist, installed by .ci/run). */
class FashionMnistTest {

    static FashionMnist data;

    @BeforeAll
    static void load() {
        data = FashionMnist.load();
    }

    @Test
    void hasTheOfficialSplitSizes() {
        assertThat(data.train().size()).isEqualTo(60_000);
        assertThat(data.test().size()).isEqualTo(10_000);
        assertThat(data.train().pixels()).hasSize(60_000 * 784);
    }

    @Test
    void everyClassHasSixThousandTrainingAndOneThousandTestImages() {
        int[] train = data.train().classCounts();
        int[] test = data.test().classCounts();
        for (FashionClass c : FashionClass.values()) {
            assertThat(train[c.label()]).as("train " + c).isEqualTo(6_000);
            assertThat(test[c.label()]).as("test " + c).isEqualTo(1_000);
        }
    }

    @Test
    void firstTestImagesAreTheKnownOnes() {
        // the official t10k set starts with an ankle boot, a pullover and a trouser
        assertThat(data.test().label(0)).isEqualTo(FashionClass.ANKLE_BOOT.label());
        assertThat(data.test().label(1)).isEqualTo(FashionClass.PULLOVER.label());
        assertThat(data.test().label(2)).isEqualTo(FashionClass.TROUSER.label());
        byte[] first = data.test().image(0);
        assertThat(first[0]).isZero(); // black background in the corner
        int bright = 0;
        for (byte p : first) {
            bright += (p & 0xFF) > 128 ? 1 : 0;
        }
        assertThat(bright).isGreaterThan(100);
    }
}
