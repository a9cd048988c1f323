package dev.fmnist.explainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SampledYieldTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void yieldsWhileTheNewestBatchIsLateAndFresh() {
        SampledYield y = new SampledYield(Duration.ofMillis(500));
        long t = 1_000 * SECOND;
        assertThat(y.yielding(t)).as("nothing stored yet").isFalse();

        y.observe(Duration.ofMillis(400), t);
        assertThat(y.yielding(t)).as("within the threshold").isFalse();

        y.observe(Duration.ofMillis(1800), t);
        assertThat(y.yielding(t)).isTrue();
        assertThat(y.yielding(t + SampledYield.FRESH.toNanos())).as("the report still holds").isTrue();
        assertThat(y.yielding(t + SampledYield.FRESH.toNanos() + 1)).as("no batch since: nothing to yield to").isFalse();
        assertThat(y.lastAge()).isEqualTo(Duration.ofMillis(1800));

        y.observe(Duration.ofMillis(1800), t + SECOND);
        y.observe(Duration.ofMillis(20), t + SECOND + 1);
        assertThat(y.yielding(t + SECOND + 2)).as("a newer batch within the threshold ends it at once").isFalse();
    }

    @Test
    void zeroNeverYieldsAndNegativeIsRefused() {
        SampledYield off = new SampledYield(Duration.ZERO);
        off.observe(Duration.ofMinutes(5), 0);
        assertThat(off.enabled()).isFalse();
        assertThat(off.yielding(1)).isFalse();
        assertThatThrownBy(() -> new SampledYield(Duration.ofMillis(-1)))
                .hasMessageContaining("explainer.yield-lag must be zero (never yield) or more");
    }
}
