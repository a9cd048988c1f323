package dev.fmnist.explainer.service;

import java.time.Duration;

/**
 * Whether sampled explanations wait because the platform is behind (docs/explainer.md, "Sampled
 * explanations yield"). Plain Java, unit-tested with explicit clock readings.
 *
 * <p>Why: a sampled explanation is extra work nobody asked for. On a machine that scores too, it takes the
 * cores the scoring path needs exactly when requests queue up (on 2 cores a cnn LIME + KernelSHAP pair is
 * about a second of one core). So while requests reach the explainer later than {@code explainer.yield-lag}
 * after they were sent, workers take requested explanations only; sampled ones stay queued (and are shed
 * as before once older than {@code explainer.max-lag}).
 *
 * <p>The age of a request is what its prediction record tells: the time it waited for scoring
 * ({@code latencyMs}, inference's scoring time minus the request record's time) plus the time since the
 * prediction record was written. Each stored batch reports its oldest request ({@link #observe}). The
 * platform counts as behind while the newest report exceeds the threshold and is at most {@link #FRESH}
 * old: a newer batch within the threshold ends it at once, and when predictions stop arriving it ends by
 * itself, since there is then nothing left to yield to.
 */
public final class SampledYield {
    /** How long one report of a late batch holds. */
    public static final Duration FRESH = Duration.ofSeconds(2);

    private final long thresholdNanos;
    private volatile long lastAgeNanos;
    private volatile long lastAtNanos;
    private volatile boolean observed;

    /** @param threshold {@code explainer.yield-lag}; zero: never yield */
    public SampledYield(Duration threshold) {
        if (threshold == null || threshold.isNegative()) {
            throw new IllegalArgumentException("explainer.yield-lag must be zero (never yield) or more, got " + threshold);
        }
        this.thresholdNanos = threshold.toNanos();
    }

    public boolean enabled() {
        return thresholdNanos > 0;
    }

    /** A batch was stored at {@code nowNanos} ({@link System#nanoTime()}); its oldest request was {@code age} old. */
    public void observe(Duration age, long nowNanos) {
        lastAgeNanos = age.isNegative() ? 0 : age.toNanos();
        lastAtNanos = nowNanos;
        observed = true;
    }

    /** Whether sampled explanations wait at {@code nowNanos}. */
    public boolean yielding(long nowNanos) {
        return enabled() && observed && lastAgeNanos > thresholdNanos && nowNanos - lastAtNanos <= FRESH.toNanos();
    }

    /** The oldest request of the newest batch. */
    public Duration lastAge() {
        return Duration.ofNanos(lastAgeNanos);
    }
}
