package dev.fmnist.tools.load;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.common.kafka.KafkaClientSettings;
import dev.fmnist.tools.KafkaClients;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One phase of the end-to-end load: sends {@code count} score requests for one model to
 * {@code fmnist.images} (as fast as the producer goes, or paced to a rate) and times the arrival of
 * each request's prediction on {@code fmnist.predictions}.
 *
 * <p>Requests are serialised before the clock starts, so the figures measure the platform, not the
 * generator's JSON. Predictions are matched by their Kafka key (the request id) without parsing
 * their JSON, for the same reason. Latency is from just before {@code send} to the poll that
 * returned the prediction, both on this machine's monotonic clock.
 */
public final class KafkaLoadRun {

    /** What one phase measured. */
    public record Result(String phase, int sent, int received, int duplicates, double seconds,
                         double imagesPerSecond, double targetRate, LatencyStats latency) {
        public int lost() {
            return sent - received;
        }
    }

    private final KafkaClientSettings kafka;
    private final Duration idleTimeout;

    public KafkaLoadRun(KafkaClientSettings kafka, Duration idleTimeout) {
        this.kafka = kafka;
        this.idleTimeout = idleTimeout;
    }

    /** The request records of a phase, ready to send: the test images cycled to {@code count}. */
    public static byte[][] requests(String idPrefix, LabelledImages images, int count, String model) {
        byte[][] values = new byte[count][];
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            int image = i % images.size();
            values[i] = Json.write(new ScoreRequest(idPrefix + i, images.image(image), model, false, now,
                    images.label(image)));
        }
        return values;
    }

    /**
     * Runs one phase.
     *
     * @param rate images per second to send at, or 0 for as fast as possible
     */
    public Result run(String phase, String idPrefix, byte[][] values, double rate, IntConsumer progress) {
        int n = values.length;
        long[] sentAt = new long[n];
        long[] receivedAt = new long[n];
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
                            receivedAt[i] = now;
                            received.incrementAndGet();
                        } else {
                            duplicates.incrementAndGet();
                        }
                    }
                }
            }, "predictions-reader");
            reader.start();

            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (rate > 0) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(Math.min(wait, 500_000));
                    }
                }
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(Topics.IMAGES, idPrefix + i, values[i]));
                if ((i + 1) % 1000 == 0) {
                    progress.accept(received.get());
                }
            }
            producer.flush();
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
            double seconds = ((count == 0 ? System.nanoTime() : last) - start) / 1e9;
            return new Result(phase, n, count, duplicates.get(), seconds, count / seconds, rate,
                    LatencyStats.ofNanos(latencies, count));
        }
    }
}
