package dev.fmnist.tools.load;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * Warm-up of a closed-loop call phase until its latency settles, as Triton's {@code perf_analyzer} decides that a
 * measurement is stable: windows of calls are run until, over the last {@value #COMPARED} windows, the largest p50
 * (the figure the phase reports) is within {@link #SPREAD} of the smallest, or {@value #MAX_WINDOWS} windows have run.
 * {@code perf_analyzer} also asks the same of the calls per second; with one client in a closed loop those are the
 * inverse of the mean latency, which one GC pause moves by more than 10 % in a window of 1,000 sub-millisecond calls:
 * with that criterion too, 3 of the 8 phases of one run never settled although their p50s had (0.54, 0.48, 0.46 ms).
 *
 * <p>Why: a fixed warm-up of 1,000 calls left the load generator's own gRPC client half compiled (a fresh JVM per
 * model): in a fresh client against a warm service, cnn's single-image p50 went 1.05, 0.94, 0.84 ms over its first
 * three windows of 1,000 calls, so the measured phase timed the client's JIT as much as the service. The binary-tensor
 * phase (calls of 256 images) had the same fault with its fixed 10 calls: lenet's 100 measured calls came to 0.37 of raw
 * ONNX Runtime, and 0.53 once 4,000 had run (same service, same minute).
 */
final class WarmUp {
    static final int COMPARED = 3;
    static final double SPREAD = 0.10;
    static final int MAX_WINDOWS = 10;

    /** A window's figures: a phase's result, single-image or binary tensors. */
    interface Timed {
        LatencyStats latency();
    }

    /** What the warm-up did: the windows run, whether the last ones were stable, their p50s (ms). */
    record Outcome(int windows, boolean stable, List<Double> p50Ms) {
        String describe(int callsPerWindow) {
            StringBuilder p50s = new StringBuilder();
            for (int i = Math.max(0, p50Ms.size() - COMPARED); i < p50Ms.size(); i++) {
                p50s.append(p50s.isEmpty() ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.2f", p50Ms.get(i)));
            }
            return String.format(java.util.Locale.ROOT, "warm-up: %d windows of %,d calls, %s (last p50s %s ms)", windows,
                    callsPerWindow, stable ? "the last " + COMPARED + " within " + Math.round(SPREAD * 100) + " %"
                            : "not stable after " + MAX_WINDOWS + " windows: the figures below may still be moving", p50s);
        }
    }

    private WarmUp() {
    }

    /** Runs {@code window.apply(k)} for k = 0, 1, ... until stable or {@code maxWindows} windows have run. */
    static Outcome untilStable(IntFunction<? extends Timed> window, int maxWindows) {
        List<Timed> done = new ArrayList<>();
        boolean stable = false;
        while (!stable && done.size() < maxWindows) {
            done.add(window.apply(done.size()));
            stable = stable(done);
        }
        return new Outcome(done.size(), stable, done.stream().map(r -> r.latency().p50Ms()).toList());
    }

    /**
     * Of a window's wall time, the share this JVM's JIT compilers (all threads together) may take for it to count as
     * settled. Measured (lenet, windows of 20,000 requests, 0.6-0.7 s each on 2 cores): 118 % of the first window, then
     * 110, 134, 92, 81, 65, 68, 37, 26, 23 %; a tenth was never reached within 10 windows.
     */
    static final double JIT_SHARE = 0.25;

    /** What a Kafka warm-up did: its windows, whether the JIT settled, the JIT's and the wall's ms in the last window. */
    record JitOutcome(int windows, boolean settled, long lastJitMs, long lastWallMs) {
        String describe(int requestsPerWindow) {
            return String.format(java.util.Locale.ROOT, "warm-up: %d windows of %,d requests, %s (JIT compilation %,d ms "
                            + "of the last window's %,d ms)", windows, requestsPerWindow,
                    settled ? "this client's JIT settled" : "this client's JIT not settled after " + windows
                            + " windows: the figures below may include its compilations", lastJitMs, lastWallMs);
        }
    }

    /** This JVM's JIT compilation time so far (ms, all compiler threads), or -1 where the JVM does not report it. */
    static long jitMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Runs {@code window.accept(k)} for k = 0, 1, ... until this JVM's JIT compilers spent at most {@link #JIT_SHARE} of a
     * window's wall time compiling (after at least 2 windows: the first always compiles), or {@code maxWindows} ran;
     * where the JVM reports no compilation time, one window. Why: after one window of 5,000 requests, this client's C2
     * compiled the Kafka producer's send path during the measured phase (0.6-1.1 s of a core in a 3.3 s phase on 2
     * cores, more than the broker's request handling), and the platform's own compilers were as far from done
     * (benchmarks/NOTES.md, "Where the half-load latency goes").
     */
    static JitOutcome untilCompiled(IntConsumer window, int maxWindows, LongSupplier jitMs, LongSupplier wallMs) {
        int windows = 0;
        long jit = 0;
        long wall = 0;
        boolean settled = false;
        while (!settled && windows < maxWindows) {
            long jit0 = jitMs.getAsLong();
            long wall0 = wallMs.getAsLong();
            window.accept(windows++);
            jit = jitMs.getAsLong() - jit0;
            wall = wallMs.getAsLong() - wall0;
            if (jit0 < 0) {
                return new JitOutcome(windows, false, -1, wall);
            }
            settled = windows >= 2 && jit <= JIT_SHARE * wall;
        }
        return new JitOutcome(windows, settled, jit, wall);
    }

    /** The last {@value #COMPARED} windows' p50s within {@link #SPREAD}, max over min. */
    static boolean stable(List<? extends Timed> windows) {
        if (windows.size() < COMPARED) {
            return false;
        }
        return within(windows.subList(windows.size() - COMPARED, windows.size()).stream()
                .mapToDouble(r -> r.latency().p50Ms()).toArray());
    }

    private static boolean within(double[] values) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return min > 0 && max / min <= 1 + SPREAD;
    }
}
