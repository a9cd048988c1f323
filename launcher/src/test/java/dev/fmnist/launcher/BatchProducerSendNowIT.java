package dev.fmnist.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.kafka.BatchProducer;
import dev.fmnist.common.kafka.KafkaClientSettings;
import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.common.messaging.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchProducer#sendNow()} on a real broker (this module's {@link KafkaBrokerProcess}: common, where the
 * producer lives, cannot depend on it): with a linger of a minute, a record is acknowledged within seconds when the
 * producer sends at batch end, and is held for the linger when it does not.
 */
class BatchProducerSendNowIT {
    static KafkaBrokerProcess broker;
    static KafkaClientSettings kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "batch-producer-it"));
        broker = KafkaBrokerProcess.start(Files.createTempDirectory(dir, "broker-"));
        kafka = KafkaClientSettings.of(Map.of("bootstrap.servers", broker.bootstrapServers()));
        broker.createTopics(outcome -> { });
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static BatchProducer lingering(boolean sendNow) {
        return new BatchProducer(kafka.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 60_000,
                ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20, ProducerConfig.ACKS_CONFIG, "all")), sendNow);
    }

    /** One batch of one record, sealed; the future completes when the broker acknowledged it. */
    static CompletableFuture<Void> sendOne(BatchProducer producer, String key) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        BatchCompletion completion = new BatchCompletion(() -> done.complete(null), done::completeExceptionally);
        producer.send(Topics.PREDICTIONS, key, new byte[] {1, 2, 3}, List.of(), completion);
        completion.seal();
        return done;
    }

    @Test
    void sendNowHandsTheBatchToTheBrokerWithoutWaitingForTheLinger() throws Exception {
        try (BatchProducer producer = lingering(true)) {
            // the topic's metadata first, so that the timing below is the linger's alone
            CompletableFuture<Void> first = sendOne(producer, "warm");
            producer.sendNow();
            first.get(30, TimeUnit.SECONDS);

            CompletableFuture<Void> done = sendOne(producer, "a");
            producer.sendNow();
            done.get(10, TimeUnit.SECONDS); // a minute's linger otherwise, as below
            // asked many times while nothing is buffered: no harm, the flusher goes on
            for (int i = 0; i < 100; i++) {
                producer.sendNow();
            }
            CompletableFuture<Void> again = sendOne(producer, "b");
            producer.sendNow();
            again.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutItTheRecordWaitsForTheLingerUntilClose() throws Exception {
        CompletableFuture<Void> done;
        try (BatchProducer producer = lingering(false)) {
            CompletableFuture<Void> first = sendOne(producer, "warm");
            producer.sendNow(); // does nothing here
            assertThat(first).as("held by the minute's linger").failsWithin(3, TimeUnit.SECONDS)
                    .withThrowableOfType(TimeoutException.class);
            done = first;
        }
        // close sends what is buffered
        assertThat(done).succeedsWithin(1, TimeUnit.SECONDS);
    }
}
