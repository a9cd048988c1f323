package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.runtime.scoring.ModelScorer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An explanation stops between two model calls once its deadline has passed; without one it runs to the end. */
class DeadlineTest {
    private static final GridSegmentation GRID = new GridSegmentation(7);

    /** A model that takes {@code millis} per call; its answers are a simple additive game. */
    private static ModelScorer slow(long millis) {
        double[] beta = new double[16];
        java.util.Arrays.fill(beta, 0.05);
        GameScorer game = new GameScorer(GRID, 3, Games.additive(0.1, beta));
        return new ModelScorer() {
            @Override
            public String name() {
                return game.name();
            }

            @Override
            public int version() {
                return game.version();
            }

            @Override
            public String format() {
                return game.format();
            }

            @Override
            public dev.fmnist.runtime.scoring.ExecutionProvider.Chosen provider() {
                return game.provider();
            }

            @Override
            public float[] score(float[] input, int n) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return game.score(input, n);
            }

            @Override
            public void close() {
            }
        };
    }

    private static ExplainerSettings settings(Duration deadline) {
        return ExplainerSettings.defaults().withOutputSpace(OutputSpace.PROBABILITY).withSegmentation(GRID).withLimeSamples(400).withShapBudget(400)
                .withBatchSize(20).withDeadline(deadline);
    }

    @Test
    void limePastItsDeadlineFailsWithTheTimeItTook() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new LimeExplainer(settings(Duration.ofMillis(150))).explain(slow(30), GameScorer.image(),
                3, 1L))
                .isInstanceOf(DeadlineExceededException.class)
                .hasMessageMatching("deadline exceeded after \\d+ ms \\(\\d+ model evaluations done\\)")
                .satisfies(e -> assertThat(((DeadlineExceededException) e).elapsedMs()).isBetween(150L, 400L));
        // it stopped at the deadline: 20 calls of 30 ms would take 600 ms
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(450);
    }

    @Test
    void kernelShapPastItsDeadlineFails() {
        assertThatThrownBy(() -> new KernelShapExplainer(settings(Duration.ofMillis(100))).explain(slow(30),
                GameScorer.image(), 3, 1L)).isInstanceOf(DeadlineExceededException.class);
    }

    @Test
    void withinTheDeadlineOrWithoutOneTheExplanationSucceeds() {
        Attribution a = new LimeExplainer(settings(Duration.ofSeconds(30))).explain(slow(1), GameScorer.image(), 3, 1L);
        assertThat(a.samples()).isEqualTo(400);
        Attribution b = new KernelShapExplainer(settings(Duration.ZERO)).explain(slow(1), GameScorer.image(), 3, 1L);
        assertThat(b.attributions()).hasSize(784);
    }

    @Test
    void aNegativeDeadlineIsRefused() {
        assertThatThrownBy(() -> settings(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deadline");
    }
}
