package dev.fmnist.tools.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    /** A window with this p50 and calls per second. */
    static OipHttpRun.Result window(double p50Ms, double perSecond) {
        long[] latencies = new long[101];
        java.util.Arrays.fill(latencies, Math.round(p50Ms * 1e6));
        return new OipHttpRun.Result("warm-up", 1, latencies.length, 0, latencies.length / perSecond, perSecond,
                LatencyStats.ofNanos(latencies, latencies.length), Map.of());
    }

    @Test
    void aClientStillCompilingIsWarmedUntilItsLastThreeWindowsAgreeWithinTenPercent() {
        // cnn's single-image gRPC p50 over a fresh client's first windows of 1,000 calls, then settled
        double[] p50s = {1.05, 0.94, 0.84, 0.83, 0.82, 0.50};
        WarmUp.Outcome o = WarmUp.untilStable(k -> window(p50s[k], 1000 / p50s[k]), WarmUp.MAX_WINDOWS);

        assertThat(o.stable()).isTrue();
        assertThat(o.windows()).isEqualTo(5);
        assertThat(o.p50Ms()).containsExactly(1.05, 0.94, 0.84, 0.83, 0.82);
        assertThat(o.describe(1000)).contains("5 windows of 1,000 calls", "within 10 %", "0.84, 0.83, 0.82");
    }

    @Test
    void theP50sOfTheLastThreeWindowsDecideNotTheirCallsPerSecond() {
        assertThat(WarmUp.stable(java.util.List.of(window(1, 1000), window(1, 1000), window(1, 1000)))).isTrue();
        assertThat(WarmUp.stable(java.util.List.of(window(1, 1000), window(1, 1000)))).as("fewer than 3").isFalse();
        assertThat(WarmUp.stable(java.util.List.of(window(1, 1000), window(1.2, 1000), window(1, 1000)))).isFalse();
        assertThat(WarmUp.stable(java.util.List.of(window(2, 1000), window(1, 1000), window(1.05, 1000), window(1.1, 1000))))
                .as("an early slow window no longer counts").isTrue();
        // one GC pause in a window moves its calls per second, not its p50
        assertThat(WarmUp.stable(java.util.List.of(window(1, 1000), window(1, 700), window(1, 1000)))).isTrue();
    }

    @Test
    void theBinaryTensorPhaseIsWarmedByTheSameRule() {
        // lenet's windows of 100 calls of 256 images from a fresh load generator: the 10 fixed calls of before stopped
        // in the first of them
        double[] p50s = {9.12, 6.74, 6.35, 6.31, 6.0};
        WarmUp.Outcome o = WarmUp.untilStable(k -> {
            long[] latencies = new long[100];
            java.util.Arrays.fill(latencies, Math.round(p50s[k] * 1e6));
            return new OipHttpRun.BinaryResult("warm-up", 256, latencies.length, 0, 0.6, 40_000,
                    LatencyStats.ofNanos(latencies, latencies.length), Map.of());
        }, WarmUp.MAX_WINDOWS);

        assertThat(o.stable()).isTrue();
        assertThat(o.p50Ms()).containsExactly(9.12, 6.74, 6.35, 6.31);
        assertThat(o.describe(100)).contains("4 windows of 100 calls");
    }

    @Test
    void aPhaseThatNeverSettlesStopsAfterTheLastWindowAndSaysSo() {
        int[] calls = {0};
        WarmUp.Outcome o = WarmUp.untilStable(k -> {
            calls[0]++;
            return window(k % 2 == 0 ? 1 : 2, 1000);
        }, WarmUp.MAX_WINDOWS);

        assertThat(o.stable()).isFalse();
        assertThat(calls[0]).isEqualTo(WarmUp.MAX_WINDOWS);
        assertThat(o.describe(1000)).contains("not stable after 10 windows");
    }

    /** A clock that each window moves by its wall and JIT milliseconds. */
    static final class Clocks {
        long wall;
        long jit;
    }

    @Test
    void aKafkaWarmUpRunsUntilTheJitTakesAtMostAQuarterOfAWindow() {
        // JIT ms per window of 1,000 ms: compiling hard, then less, then settled at the 4th
        long[] jitPerWindow = {1200, 400, 260, 60, 0, 0};
        Clocks c = new Clocks();
        WarmUp.JitOutcome o = WarmUp.untilCompiled(k -> {
            c.wall += 1000;
            c.jit += jitPerWindow[k];
        }, WarmUp.MAX_WINDOWS, () -> c.jit, () -> c.wall);

        assertThat(o.windows()).isEqualTo(4);
        assertThat(o.settled()).isTrue();
        assertThat(o.lastJitMs()).isEqualTo(60);
        assertThat(o.describe(5000)).contains("4 windows of 5,000 requests", "JIT settled", "60 ms");
    }

    @Test
    void aKafkaWarmUpRunsTwoWindowsAtLeastAndStopsAtTheMost() {
        Clocks quiet = new Clocks();
        assertThat(WarmUp.untilCompiled(k -> quiet.wall += 1000, WarmUp.MAX_WINDOWS, () -> quiet.jit, () -> quiet.wall)
                .windows()).as("the first window always compiles: never trusted alone").isEqualTo(2);

        Clocks busy = new Clocks();
        WarmUp.JitOutcome o = WarmUp.untilCompiled(k -> {
            busy.wall += 1000;
            busy.jit += 500;
        }, WarmUp.MAX_WINDOWS, () -> busy.jit, () -> busy.wall);
        assertThat(o.windows()).isEqualTo(WarmUp.MAX_WINDOWS);
        assertThat(o.settled()).isFalse();
        assertThat(o.describe(5000)).contains("not settled after 10 windows");

        int[] runs = {0};
        assertThat(WarmUp.untilCompiled(k -> runs[0]++, WarmUp.MAX_WINDOWS, () -> -1, () -> 0).settled())
                .as("a JVM without compilation time: one window, not called settled").isFalse();
        assertThat(runs[0]).isEqualTo(1);
    }
}
