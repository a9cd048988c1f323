package dev.fmnist.tools.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void nearestRankPercentilesOfOneToHundredMilliseconds() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L; // unsorted on purpose
        }
        LatencyStats s = LatencyStats.ofNanos(nanos, 100);
        assertThat(s.p50Ms()).isEqualTo(50.0);
        assertThat(s.p95Ms()).isEqualTo(95.0);
        assertThat(s.p99Ms()).isEqualTo(99.0);
        assertThat(s.maxMs()).isEqualTo(100.0);
    }

    @Test
    void onlyTheFirstCountValuesCount() {
        long[] nanos = {3_000_000, 1_000_000, 2_000_000, 0, 0};
        LatencyStats s = LatencyStats.ofNanos(nanos, 3);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.p50Ms()).isEqualTo(2.0);
        assertThat(s.maxMs()).isEqualTo(3.0);
    }

    @Test
    void noValuesGiveNaN() {
        assertThat(LatencyStats.ofNanos(new long[0], 0).p99Ms()).isNaN();
    }
}
