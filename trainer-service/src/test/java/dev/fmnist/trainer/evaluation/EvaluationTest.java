package dev.fmnist.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EvaluationTest {
    @Test
    void confusionMatrixAndPerClassAccuracy() {
        byte[] labels = {0, 0, 0, 0, 6, 6, 9, 9};
        int[] predicted = {0, 0, 0, 6, 6, 0, 9, 9};
        Evaluation e = Evaluation.of("test", labels, predicted);

        assertThat(e.accuracy()).isCloseTo(6 / 8.0, within(1e-12));
        assertThat(e.perClassAccuracy()[0]).isCloseTo(0.75, within(1e-12));
        assertThat(e.perClassAccuracy()[6]).isCloseTo(0.5, within(1e-12));
        assertThat(e.perClassAccuracy()[9]).isEqualTo(1.0);
        assertThat(e.perClassAccuracy()[1]).isNaN();
        assertThat(e.confusionMatrix()[0][6]).isEqualTo(1);
        assertThat(e.confusionMatrix()[6][0]).isEqualTo(1);
        assertThat(e.perClassTable()).contains("Shirt").contains("50.0%");
    }

    @Test
    void argmaxPicksTheLargestScorePerRow() {
        float[] scores = new float[20];
        scores[3] = 2f;
        scores[10 + 9] = 0.5f;
        scores[10 + 1] = 0.4f;
        assertThat(Evaluation.argmax(scores, 2)).containsExactly(3, 9);
    }
}
