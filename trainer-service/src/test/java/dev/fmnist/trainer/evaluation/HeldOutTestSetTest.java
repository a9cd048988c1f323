package dev.fmnist.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HeldOutTestSetTest {

    @Test
    void theFullRunHoldsOutTheOfficialTestImagesAndAQuickRunAStratifiedSixth() {
        FashionMnist data = FashionMnist.load();
        HeldOutTestSet full = HeldOutTestSet.of(data.test(), 42, 0);
        assertThat(full.size()).isEqualTo(10_000);
        assertThat(full.images().pixels()).isEqualTo(data.test().pixels());

        HeldOutTestSet quick = HeldOutTestSet.of(data.test(), 7, 2_000);
        assertThat(quick.size()).isBetween(330, 340);
        assertThat(Arrays.stream(quick.images().classCounts()).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(33, 34));
    }
}
