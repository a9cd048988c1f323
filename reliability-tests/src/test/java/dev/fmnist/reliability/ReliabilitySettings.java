package dev.fmnist.reliability;

import java.time.Duration;

/**
 * The size of the fault-injection runs. By default the size of issue #10 (10,000 images per scenario,
 * PostgreSQL away for 30 s), which takes about 3 minutes here and runs in {@code mvn verify};
 * {@code -Dreliability.quick=true} is a smaller run for a quick look (2,000 images, 15 s). Every Kafka fault
 * scenario runs a second time under a heavy load (issue #17: 30,000 images at 2,000 per second, every 200th
 * explained; {@code -Dreliability.heavy.images}, {@code .rate}, {@code .explain-every}).
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
 * @param heavy            the second load every Kafka fault scenario runs under (issue #17: at least 2,000
 *                         images/s), with fewer explanations so that the explainer's backlog stays bounded
 */
record ReliabilitySettings(boolean full, int images, int ratePerSecond, int explainEvery, Duration databaseOutage,
                           int malformed, double faultAt, Load heavy) {

    /**
     * One stream of a fault scenario.
     *
     * @param images        requests sent
     * @param ratePerSecond how fast
     * @param explainEvery  every n-th request asks for LIME and KernelSHAP of lenet
     */
    record Load(int images, int ratePerSecond, int explainEvery) {
        int explained() {
            return (images + explainEvery - 1) / explainEvery;
        }

        /** Words for the results table, e.g. "10,000 at 400/s, every 20th explained". */
        String describe() {
            return String.format(java.util.Locale.ROOT, "%,d at %,d/s, every %dth explained", images, ratePerSecond,
                    explainEvery);
        }
    }

    static ReliabilitySettings fromSystemProperties() {
        boolean full = !Boolean.getBoolean("reliability.quick");
        return new ReliabilitySettings(full,
                Integer.getInteger("reliability.images", full ? 10_000 : 2_000),
                Integer.getInteger("reliability.rate", full ? 400 : 200),
                Integer.getInteger("reliability.explain-every", 20),
                Duration.ofSeconds(Integer.getInteger("reliability.db-outage-seconds", full ? 30 : 15)),
                Integer.getInteger("reliability.malformed", 1_000),
                0.4,
                new Load(Integer.getInteger("reliability.heavy.images", full ? 30_000 : 6_000),
                        Integer.getInteger("reliability.heavy.rate", 2_000),
                        Integer.getInteger("reliability.heavy.explain-every", 200)));
    }

    /** The issue #10 load: {@link #images} at {@link #ratePerSecond}. */
    Load steady() {
        return new Load(images, ratePerSecond, explainEvery);
    }

    /** Both loads, steady first: what each Kafka fault scenario runs under. */
    java.util.List<Load> loads() {
        return java.util.List.of(steady(), heavy);
    }

    /** Whether the run writes {@code results/reliability.md}. */
    static boolean writesResults() {
        return Boolean.getBoolean("reliability.results");
    }
}
