package dev.fmnist.reliability;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test images sent to {@code fmnist.images} at a steady rate on a thread of their own, as a client
 * would, so that a fault hits a stream that is still flowing. The producer is idempotent with {@code
 * acks=all} and a delivery timeout long enough to ride out a broker restart: a request it could not
 * hand to the broker would be the client's loss, not the platform's, and fails the stream.
 */
final class ImageStream implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long lastSentAt;
    private volatile long startedAt;

    private ImageStream(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Starts sending {@code count} requests {@code prefix + i} for lenet, every {@code explainEvery}-th asking for explanations. */
    static ImageStream start(String bootstrap, LabelledImages images, String prefix, int count, int ratePerSecond,
                             int explainEvery) {
        ImageStream stream = new ImageStream(bootstrap);
        Thread t = new Thread(() -> stream.send(images, prefix, count, ratePerSecond, explainEvery), "image-stream");
        t.setDaemon(true);
        t.start();
        return stream;
    }

    private void send(LabelledImages images, String prefix, int count, int ratePerSecond, int explainEvery) {
        try {
            long start = System.nanoTime();
            startedAt = System.currentTimeMillis();
            for (int i = 0; i < count; i++) {
                int image = i % images.size();
                ScoreRequest request = new ScoreRequest(prefix + i, images.image(image), "lenet", i % explainEvery == 0,
                        Instant.now(), images.label(image));
                producer.send(new ProducerRecord<>(Topics.IMAGES, request.id(), Json.write(request)), (m, e) -> {
                    if (e == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, e);
                    }
                });
                sent.incrementAndGet();
                lastSentAt = System.currentTimeMillis();
                long due = start + TimeUnit.SECONDS.toNanos(i + 1) / ratePerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            producer.flush();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        } finally {
            done.countDown();
        }
    }

    int sent() {
        return sent.get();
    }

    /** Waits until {@code share} of {@code count} requests are sent. */
    void awaitSent(int count, double share) throws InterruptedException {
        while (sent.get() < count * share && done.getCount() > 0) {
            Thread.sleep(20);
        }
    }

    /** Waits for the last request to be acknowledged by the broker; returns the epoch ms it was sent at. */
    long awaitDone(Duration timeout) throws Exception {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the stream did not end within " + timeout + " (" + sent.get() + " sent)");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the client could not deliver a request: " + failure.get().getMessage(),
                    failure.get());
        }
        return lastSentAt;
    }

    /** Requests per second from the first send to the last (a broker outage blocks the sender for a while). */
    double achievedRate() {
        long millis = lastSentAt - startedAt;
        return millis <= 0 ? Double.NaN : sent.get() * 1000.0 / millis;
    }

    int acknowledged() {
        return acknowledged.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
