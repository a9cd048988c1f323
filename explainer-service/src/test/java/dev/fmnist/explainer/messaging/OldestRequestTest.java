package dev.fmnist.explainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.kafka.KafkaBatchEdge;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.common.messaging.Prediction;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The age a stored batch reports to the sampled-explanation yield: the wait for scoring plus the time since the record. */
class OldestRequestTest {
    private static KafkaBatchEdge.Parsed<Prediction> record(long timestamp, double latencyMs, Instant scoredAt) {
        float[] p = new float[10];
        p[3] = 1;
        Prediction prediction = new Prediction("r", new ModelRef("lenet", 1), 3, "Dress", p, "", scoredAt, latencyMs,
                false, null);
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>("fmnist.predictions", 0, 0, timestamp,
                TimestampType.CREATE_TIME, 0, 0, "r", new byte[0], new RecordHeaders(), Optional.empty());
        return new KafkaBatchEdge.Parsed<>(r, prediction, Context.root());
    }

    @Test
    void theOldestRequestOfTheBatchCountsItsWaitForScoringAndItsTimeSinceTheRecord() {
        long now = 1_000_000;
        Instant anyTime = Instant.parse("2020-01-01T00:00:00Z"); // scoredAt plays no part: hand-written records set it freely
        List<KafkaBatchEdge.Parsed<Prediction>> batch = List.of(record(now - 100, 50, anyTime),
                record(now - 300, 1200, anyTime), record(now - 10, 0, anyTime));
        assertThat(PredictionBatchConsumer.oldestRequest(batch, now)).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aRecordWithoutTimestampOrFromTheFutureCountsItsLatencyOnly() {
        long now = 1_000_000;
        assertThat(PredictionBatchConsumer.oldestRequest(List.of(record(-1, 7.5, Instant.EPOCH),
                record(now + 5_000, 2, Instant.EPOCH)), now)).isEqualTo(Duration.ofNanos(7_500_000));
    }
}
