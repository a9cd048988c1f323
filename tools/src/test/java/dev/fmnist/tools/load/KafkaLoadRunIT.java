package dev.fmnist.tools.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.kafka.KafkaClientSettings;
import dev.fmnist.common.messaging.MessageCodec;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.tools.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load generator's Kafka phase on a real broker, against a stand-in for inference-service that answers every
 * request on {@code fmnist.predictions} under the request's key, except one it drops and one it answers twice:
 * what the phase counts (sent, received, lost, duplicates), that it waits no longer than its idle timeout for the
 * lost one, that a paced phase keeps its rate, and that it reads the requests as the platform's contract defines them.
 */
class KafkaLoadRunIT {
    static KafkaBrokerProcess broker;
    static KafkaClientSettings kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "kafka-load-run-it"));
        broker = KafkaBrokerProcess.start(Files.createTempDirectory(dir, "broker-"));
        kafka = KafkaClientSettings.of(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static LabelledImages images(int n) {
        byte[] pixels = new byte[n * Pixels.COUNT];
        byte[] labels = new byte[n];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        return new LabelledImages(pixels, labels);
    }

    /**
     * Answers each request read from fmnist.images from now on, except {@code drop}; {@code twice} gets two answers.
     * With {@code holdMs} > 0 the answers of a poll are stamped (their record timestamp) when it returned, then held that
     * long before they are sent, as a service whose producer lingers.
     */
    static final class StandIn implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger unreadable = new AtomicInteger();
        final Thread thread;

        StandIn(String drop, String twice) {
            this(drop, twice, 0);
        }

        StandIn(String drop, String twice, long holdMs) {
            KafkaConsumer<String, byte[]> consumer = KafkaClients.tailFromNow(kafka, Topics.IMAGES);
            KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka);
            thread = new Thread(() -> {
                try (consumer; producer) {
                    while (!stop.get()) {
                        var polled = consumer.poll(Duration.ofMillis(20));
                        Long stamp = holdMs > 0 ? System.currentTimeMillis() : null;
                        if (holdMs > 0 && !polled.isEmpty()) {
                            java.util.concurrent.locks.LockSupport.parkNanos(holdMs * 1_000_000L);
                        }
                        for (ConsumerRecord<String, byte[]> r : polled) {
                            requests.incrementAndGet();
                            try {
                                // parsed and validated as inference-service reads it
                                ScoreRequest request = MessageCodec.read(r.headers(), r.value(), ScoreRequest.class,
                                        java.time.Instant.now());
                                if (!r.key().equals(request.id()) || !"lenet".equals(request.model())) {
                                    unreadable.incrementAndGet();
                                }
                            } catch (RuntimeException e) {
                                unreadable.incrementAndGet();
                            }
                            if (r.key().equals(drop)) {
                                continue;
                            }
                            producer.send(new ProducerRecord<>(Topics.PREDICTIONS, null, stamp, r.key(), new byte[] {1}));
                            if (r.key().equals(twice)) {
                                producer.send(new ProducerRecord<>(Topics.PREDICTIONS, r.key(), new byte[] {2}));
                            }
                        }
                        producer.flush();
                    }
                }
            }, "stand-in");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    @Test
    void aPhaseCountsWhatCameBackAndGivesUpOnTheLostAfterItsIdleTimeout() throws Exception {
        byte[][] requests = KafkaLoadRun.requests("lr-a-", images(5), 300, "lenet");
        KafkaLoadRun.Result r;
        long t0 = System.nanoTime();
        try (StandIn standIn = new StandIn("lr-a-17", "lr-a-42")) {
            r = new KafkaLoadRun(kafka, Duration.ofSeconds(3)).run("full load", "lr-a-", requests, 0, received -> { });
            assertThat(standIn.requests.get()).isEqualTo(300);
            assertThat(standIn.unreadable.get()).isZero();
        }
        double wall = (System.nanoTime() - t0) / 1e9;

        assertThat(r.sent()).isEqualTo(300);
        assertThat(r.received()).isEqualTo(299);
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.latency().count()).isEqualTo(299);
        assertThat(r.latency().p50Ms()).isPositive().isLessThanOrEqualTo(r.latency().maxMs());
        assertThat(r.imagesPerSecond()).isEqualTo(299 / r.seconds());
        assertThat(r.format()).isEqualTo("json");
        assertThat(r.recordBytes()).as("a JSON request with its base64 image").isGreaterThan(Pixels.COUNT);
        // the lost request: waited for about the idle timeout after the last answer, not forever
        assertThat(wall).isBetween(3.0, 60.0);
        // the throughput is up to the last answer, not the end of the wait for the lost one
        assertThat(r.seconds()).isLessThan(wall - 2.5);
    }

    @Test
    void aPacedPhaseSendsAtItsRate(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        byte[][] requests = KafkaLoadRun.requests("lr-b-", images(3), 200, "lenet");
        KafkaLoadRun.Result r;
        long before = System.currentTimeMillis();
        try (StandIn standIn = new StandIn(null, null, 40)) {
            r = new KafkaLoadRun(kafka, Duration.ofSeconds(10), dir).run("half load", "lr-b-", requests, 100, received -> { });
        }
        // the per-record file: the phase's start, then each record's send time and latency in sending order
        java.util.List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("lr-b-half-load.txt"));
        assertThat(lines).hasSize(201);
        assertThat(Long.parseLong(lines.get(0).substring(2))).isBetween(before, System.currentTimeMillis());
        long[] sent = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(" ")[0])).toArray();
        long[] latency = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(" ")[1])).toArray();
        assertThat(sent[0]).isLessThan(50_000);
        assertThat(sent[199]).as("sent at 100/s").isBetween(1_980_000L, 3_000_000L);
        assertThat(java.util.Arrays.stream(latency).max().getAsLong() / 1000.0).isBetween(0.0, r.latency().maxMs() + 1);
        // the split at the answer's timestamp: the stand-in held each answer 40 ms after stamping it, so that time is
        // on the delivery side (1 ms of slack each way: the timestamp's resolution)
        long[] toAnswer = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(" ")[2])).toArray();
        for (int i = 0; i < toAnswer.length; i++) {
            assertThat(toAnswer[i]).as("record %d", i).isBetween(-1_000L, latency[i] - 38_000L);
        }
        assertThat(r.split().toAnswer().count()).isEqualTo(200);
        assertThat(r.split().delivery().p50Ms()).isBetween(38.0, r.latency().p50Ms() + 1);
        assertThat(r.split().toAnswer().p50Ms()).isLessThan(r.latency().p50Ms() - 37);
        assertThat(r.received()).isEqualTo(200);
        assertThat(r.lost()).isZero();
        assertThat(r.targetRate()).isEqualTo(100);
        // 200 requests at 100/s: the last one is sent at 1.99 s, answered a little later
        assertThat(r.seconds()).isBetween(1.95, 10.0);
        assertThat(r.imagesPerSecond()).isBetween(20.0, 102.6);
    }
}
