package dev.fmnist.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PixelsTest {

    @Test
    void imagesOneAfterTheOtherGiveWhatEachImageGivesAlone() {
        int images = 3;
        int from = 5; // a binary tensor after its JSON header
        byte[] body = new byte[from + images * Pixels.COUNT];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        float[] batch = new float[2 + images * Pixels.COUNT];
        Pixels.toModelInput(body, from, images, batch, 2);

        float[] oneByOne = new float[2 + images * Pixels.COUNT];
        for (int i = 0; i < images; i++) {
            byte[] image = Arrays.copyOfRange(body, from + i * Pixels.COUNT, from + (i + 1) * Pixels.COUNT);
            Pixels.toModelInput(image, oneByOne, 2 + i * Pixels.COUNT);
        }
        assertThat(batch).containsExactly(oneByOne);
        assertThat(batch[2 + Pixels.COUNT]).isEqualTo((body[from + Pixels.COUNT] & 0xFF) / 255f);
        assertThat(batch[0]).isZero();
    }

    @Test
    void aBatchLongerThanItsBytesOrItsOutputIsRefused() {
        byte[] body = new byte[2 * Pixels.COUNT];
        assertThatThrownBy(() -> Pixels.toModelInput(body, 1, 2, new float[2 * Pixels.COUNT], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 images");
        assertThatThrownBy(() -> Pixels.toModelInput(body, 0, 2, new float[2 * Pixels.COUNT], 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 images");
    }
}
