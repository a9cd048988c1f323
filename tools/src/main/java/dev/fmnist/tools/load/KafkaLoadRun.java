package dev.fmnist.tools.load;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.MessageCodec;
import dev.fmnist.common.messaging.ProtobufMessages;
import dev.fmnist.common.messaging.WireFormat;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.common.kafka.KafkaClientSettings;
import dev.fmnist.tools.KafkaClients;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;

/**
 * One phase of the end-to-end load: sends {@code count} score requests for one model to
 * {@code fmnist.images} (as fast as the producer goes, or paced to a rate) and times the arrival of
 * each request's prediction on {@code fmnist.predictions}.
 *
 * <p>Requests are serialised before the clock starts, so the figures measure the platform, not the
 * generator's JSON. Predictions are matched by their Kafka key (the request id) without parsing
 * their JSON, for the same reason. Latency is from just before {@code send} to the poll that
 * returned the prediction, both on this machine's monotonic clock.
 *
 * <p>Each latency is also split in two at the prediction record's own timestamp (its CreateTime: when
 * inference-service handed it to its producer, wall clock, 1 ms resolution): before it, this generator's linger, the
 * broker, the service's fetch and its scoring; after it, the service's linger, the broker and this reader's fetch. Why:
 * a phase's p99 alone does not say on which side of the model call its tail builds up.
 */
public final class KafkaLoadRun {

    /** What one phase measured. */
    public record Result(String phase, int sent, int received, int duplicates, double seconds,
                         double imagesPerSecond, double targetRate, LatencyStats latency, String format,
                         double recordBytes, double compressionRate, Split split) {
        public int lost() {
            return sent - received;
        }
    }

    /**
     * A phase's latencies split at the prediction record's timestamp: {@code toAnswer} from the send to it (ms
     * resolution), {@code delivery} from it to this reader's poll.
     */
    public record Split(LatencyStats toAnswer, LatencyStats delivery) {
        static Split of(long start, long startEpochMs, long[] sentAt, long[] receivedAt, long[] stampedAt) {
            long[] to = new long[sentAt.length];
            long[] after = new long[sentAt.length];
            int count = 0;
            for (int i = 0; i < sentAt.length; i++) {
                if (receivedAt[i] != 0 && stampedAt[i] > 0) {
                    long stamped = stampedNanos(start, startEpochMs, stampedAt[i]);
                    // the stamp has 1 ms resolution: clamp into [send, receipt] rather than report negative waits
                    stamped = Math.max(sentAt[i], Math.min(receivedAt[i], stamped));
                    to[count] = stamped - sentAt[i];
                    after[count] = receivedAt[i] - stamped;
                    count++;
                }
            }
            return new Split(LatencyStats.ofNanos(to, count), LatencyStats.ofNanos(after, count));
        }
    }

    /** A wall-clock record timestamp (epoch ms) on the phase's monotonic clock, {@code start} being {@code startEpochMs}. */
    static long stampedNanos(long start, long startEpochMs, long epochMs) {
        return start + (epochMs - startEpochMs) * 1_000_000L;
    }

    private final KafkaClientSettings kafka;
    private final Duration idleTimeout;
    private final java.nio.file.Path latenciesDir;

    public KafkaLoadRun(KafkaClientSettings kafka, Duration idleTimeout) {
        this(kafka, idleTimeout, null);
    }

    /** @param latenciesDir where each phase's per-record latencies are written ({@link #writeLatencies}), or null */
    public KafkaLoadRun(KafkaClientSettings kafka, Duration idleTimeout, java.nio.file.Path latenciesDir) {
        this.kafka = kafka;
        this.idleTimeout = idleTimeout;
        this.latenciesDir = latenciesDir;
    }

    /**
     * Writes a phase's records as lines {@code <sent µs after the phase's start> <latency µs> <µs to the prediction's
     * timestamp, or -1>} in sending order, after
     * a line {@code # <the phase's start, epoch ms>} (to line them up with GC logs and profiles); records never received
     * are left out. Why: a phase's p99 alone does not tell a stall at its start from pauses spread over it.
     */
    static void writeLatencies(java.nio.file.Path file, long startEpochMs, long start, long[] sentAt, long[] receivedAt,
                               long[] stampedAt) throws java.io.IOException {
        StringBuilder out = new StringBuilder(sentAt.length * 24).append("# ").append(startEpochMs).append('\n');
        for (int i = 0; i < sentAt.length; i++) {
            if (receivedAt[i] != 0) {
                long toAnswer = stampedAt[i] > 0
                        ? (stampedNanos(start, startEpochMs, stampedAt[i]) - sentAt[i]) / 1000 : -1;
                out.append((sentAt[i] - start) / 1000).append(' ').append((receivedAt[i] - sentAt[i]) / 1000)
                        .append(' ').append(toAnswer).append('\n');
            }
        }
        java.nio.file.Files.writeString(file, out);
    }

    /** The request records of a phase, ready to send: the test images cycled to {@code count}. */
    public static byte[][] requests(String idPrefix, LabelledImages images, int count, String model) {
        return requests(idPrefix, images, count, model, WireFormat.JSON);
    }

    /** {@link #requests(String, LabelledImages, int, String)} in {@code format}. */
    public static byte[][] requests(String idPrefix, LabelledImages images, int count, String model, WireFormat format) {
        byte[][] values = new byte[count][];
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            int image = i % images.size();
            values[i] = MessageCodec.write(new ScoreRequest(idPrefix + i, images.image(image), model, false, now,
                    images.label(image)), format);
        }
        return values;
    }

    /**
     * Runs one phase.
     *
     * @param rate images per second to send at, or 0 for as fast as possible
     */
    public Result run(String phase, String idPrefix, byte[][] values, double rate, IntConsumer progress) {
        return run(phase, idPrefix, values, WireFormat.JSON, rate, progress);
    }

    /** {@link #run(String, String, byte[][], double, IntConsumer)} of requests in {@code format} (its content-type header). */
    public Result run(String phase, String idPrefix, byte[][] values, WireFormat format, double rate,
                      IntConsumer progress) {
        List<Header> headers = format == WireFormat.JSON ? List.of()
                : List.of(format.header(ProtobufMessages.SCORE_REQUEST));
        int n = values.length;
        double[] wire = {Double.NaN, Double.NaN};
        long[] sentAt = new long[n];
        long[] receivedAt = new long[n];
        long[] stampedAt = new long[n];
        AtomicInteger received = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try (KafkaConsumer<String, Void> consumer = KafkaClients.tailFromNow(kafka, KafkaClients.IGNORE_VALUES,
                Topics.PREDICTIONS);
             KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka)) {
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    for (ConsumerRecord<String, Void> r : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        String key = r.key();
                        if (key == null || !key.startsWith(idPrefix)) {
                            continue;
                        }
                        int i = Integer.parseInt(key, idPrefix.length(), key.length(), 10);
                        if (i < 0 || i >= n) {
                            continue;
                        }
                        if (receivedAt[i] == 0) {
                            stampedAt[i] = r.timestamp();
                            receivedAt[i] = now;
                            received.incrementAndGet();
                        } else {
                            duplicates.incrementAndGet();
                        }
                    }
                }
            }, "predictions-reader");
            reader.start();
            // The phase's requests were just made (about 130 MB for 100,000 JSON ones) and live until it ends: collected
            // now, they sit in the old generation instead of being copied by young collections inside the measured
            // window. Those pauses (160-370 ms with ParallelGC; 30-35 ms in the half-load phase since) stopped this
            // reader and were counted as service latency.
            System.gc();

            long start = System.nanoTime();
            long startEpochMs = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                if (rate > 0) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(Math.min(wait, 500_000));
                    }
                }
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(Topics.IMAGES, null, idPrefix + i, values[i], headers));
                if ((i + 1) % 1000 == 0) {
                    progress.accept(received.get());
                }
            }
            producer.flush();
            wire = wireBytes(producer, n);
            long lastProgress = System.nanoTime();
            int seen = received.get();
            while (seen < n && System.nanoTime() - lastProgress < idleTimeout.toNanos()) {
                LockSupport.parkNanos(50_000_000);
                int now = received.get();
                if (now != seen) {
                    seen = now;
                    lastProgress = System.nanoTime();
                }
                progress.accept(now);
            }
            stop.set(true);
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long last = 0;
            long[] latencies = new long[n];
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (receivedAt[i] != 0) {
                    latencies[count++] = receivedAt[i] - sentAt[i];
                    last = Math.max(last, receivedAt[i]);
                }
            }
            if (latenciesDir != null) {
                try {
                    java.nio.file.Files.createDirectories(latenciesDir);
                    writeLatencies(latenciesDir.resolve(idPrefix.replaceAll("[^A-Za-z0-9-]", "") + phase.replaceAll("[^A-Za-z0-9]+", "-")
                            + ".txt"), startEpochMs, start, sentAt, receivedAt, stampedAt);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write the latencies to " + latenciesDir, e);
                }
            }
            double seconds = ((count == 0 ? System.nanoTime() : last) - start) / 1e9;
            return new Result(phase, n, count, duplicates.get(), seconds, count / seconds, rate,
                    LatencyStats.ofNanos(latencies, count), format.name().toLowerCase(java.util.Locale.ROOT),
                    wire[0], wire[1], Split.of(start, startEpochMs, sentAt, receivedAt, stampedAt));
        }
    }

    /**
     * What the producer put on the wire for the phase: mean record size before compression ({@code record-size-avg})
     * and the compressed/uncompressed ratio of its batches ({@code compression-rate-avg}; 1 without compression).
     */
    private static double[] wireBytes(KafkaProducer<String, byte[]> producer, int n) {
        double size = Double.NaN;
        double rate = Double.NaN;
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (!"producer-metrics".equals(e.getKey().group())) {
                continue;
            }
            Object v = e.getValue().metricValue();
            if (!(v instanceof Double d)) {
                continue;
            }
            switch (e.getKey().name()) {
                case "record-size-avg" -> size = d;
                case "compression-rate-avg" -> rate = d;
                default -> { }
            }
        }
        return new double[]{size, rate};
    }
}
