package dev.fmnist.reliability;

import java.time.Duration;

/**
 * The size of the fault-injection runs. By default the size of issue #10 (10,000 images per scenario,
 * PostgreSQL away for 30 s), which takes about 3 minutes here and runs in {@code mvn verify};
 * {@code -Dreliability.quick=true} is a smaller run for a quick look (2,000 images, 15 s).
 * {@code -Dreliability.results=true} also writes {@code results/reliability.md} (what {@code ./fmnist
 * faults} does); otherwise the table only goes to {@code target/}. Each value can be set alone
 * ({@code -Dreliability.images=...}).
 *
 * @param full             the size (not the quick one)
 * @param images           requests streamed per fault scenario
 * @param ratePerSecond    how fast they are sent: the stream must still be flowing when the fault hits
 * @param explainEvery     every n-th request asks for explanations (LIME and KernelSHAP of lenet)
 * @param databaseOutage   how long PostgreSQL is unreachable for the explainer
 * @param malformed        malformed records interleaved with as many valid ones
 * @param faultAt          the share of the stream sent when the fault is injected
 */
record ReliabilitySettings(boolean full, int images, int ratePerSecond, int explainEvery, Duration databaseOutage,
                           int malformed, double faultAt) {

    static ReliabilitySettings fromSystemProperties() {
        boolean full = !Boolean.getBoolean("reliability.quick");
        return new ReliabilitySettings(full,
                Integer.getInteger("reliability.images", full ? 10_000 : 2_000),
                Integer.getInteger("reliability.rate", full ? 400 : 200),
                Integer.getInteger("reliability.explain-every", 20),
                Duration.ofSeconds(Integer.getInteger("reliability.db-outage-seconds", full ? 30 : 15)),
                Integer.getInteger("reliability.malformed", 1_000),
                0.4);
    }

    /** Whether the run writes {@code results/reliability.md}. */
    static boolean writesResults() {
        return Boolean.getBoolean("reliability.results");
    }

    int explained(int requests) {
        return (requests + explainEvery - 1) / explainEvery;
    }
}
