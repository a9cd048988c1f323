package dev.fmnist.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBatchEdgeTest {
    private final MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(),
            new ByteArraySerializer());
    private final List<String> deadLettered = new ArrayList<>();
    private final AtomicInteger acks = new AtomicInteger();
    private final AtomicReference<Throwable> nack = new AtomicReference<>();

    /** Upper-cases numbers' text to "out"; "bad" is invalid JSON, "boom" fails unexpectedly, "odd" has its own reason. */
    private final KafkaBatchEdge.Steps<String> steps = new KafkaBatchEdge.Steps<>() {
        @Override
        public String parse(ConsumerRecord<String, byte[]> record) {
            String v = new String(record.value(), StandardCharsets.UTF_8);
            return switch (v) {
                case "bad" -> throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON, "not JSON");
                case "boom" -> throw new IllegalStateException("kaput");
                case "odd" -> throw new UnsupportedOperationException("odd one");
                default -> v;
            };
        }

        @Override
        public String errorClass(RuntimeException e) {
            return e instanceof UnsupportedOperationException ? "odd-class" : null;
        }

        @Override
        public void process(List<KafkaBatchEdge.Parsed<String>> valid, KafkaBatchEdge.Batch batch) {
            for (KafkaBatchEdge.Parsed<String> p : valid) {
                batch.send("out", p.record().key(), p.value().toUpperCase().getBytes(StandardCharsets.UTF_8),
                        p.trace());
            }
        }

        @Override
        public void deadLettered(String errorClass) {
            deadLettered.add(errorClass);
        }
    };

    private static ConsumerRecord<String, byte[]> record(long offset, String value) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>("in", 2, offset, "k" + offset,
                value.getBytes(StandardCharsets.UTF_8));
        r.headers().add(new RecordHeader(Topics.HEADER_TRACEPARENT, traceparent(offset).getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader("origin", "test".getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader(Topics.HEADER_ERROR_CLASS, "stale".getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    /** A valid W3C traceparent per offset (without a tracing SDK the records given carry it as it came). */
    private static String traceparent(long offset) {
        return "00-0af7651916cd43dd8448eb211c80319" + offset + "-b7ad6b716920333" + offset + "-01";
    }

    private static String header(ProducerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void invalidRecordsAreDeadLetteredWithTheirReasonAndTheBatchAcknowledgedAfterEverySend() throws Exception {
        KafkaBatchEdge<String> edge = new KafkaBatchEdge<>("things", new BatchProducer(mock), "in.dlq", 2, steps);
        List<ConsumerRecord<String, byte[]>> records = List.of(record(0, "a"), record(1, "bad"), record(2, "boom"),
                record(3, "odd"), record(4, "b"));
        edge.consume(records, records.size(), acks::incrementAndGet, nack::set);

        assertThat(mock.history()).hasSize(5);
        assertThat(acks).hasValue(0); // nothing acknowledged by the broker yet
        List<ProducerRecord<String, byte[]>> dlq = mock.history().stream().filter(r -> r.topic().equals("in.dlq")).toList();
        assertThat(dlq).extracting(r -> header(r, Topics.HEADER_ERROR_CLASS))
                .containsExactly("invalid-json", DeadLetterHeaders.INVALID_RECORD, "odd-class");
        assertThat(dlq).extracting(r -> header(r, Topics.HEADER_ERROR_MESSAGE))
                .containsExactly("not JSON", "IllegalStateException: kaput", "odd one");
        assertThat(dlq).extracting(ProducerRecord::key).containsExactly("k1", "k2", "k3");
        assertThat(dlq.get(0).value()).asString(StandardCharsets.UTF_8).isEqualTo("bad");
        assertThat(header(dlq.get(0), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("in");
        assertThat(header(dlq.get(0), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("2");
        assertThat(header(dlq.get(0), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(header(dlq.get(0), Topics.HEADER_TRACEPARENT)).isEqualTo(traceparent(1));
        // SmallRye's headers too; the exception class is always one of the project's own
        assertThat(dlq).extracting(r -> header(r, DeadLetterHeaders.REASON))
                .containsExactly("not JSON", "IllegalStateException: kaput", "odd one");
        assertThat(dlq).extracting(r -> header(r, DeadLetterHeaders.EXCEPTION_CLASS_NAME))
                .containsExactly(InvalidMessageException.class.getName(), RecordFailedException.class.getName(),
                        RecordFailedException.class.getName());
        assertThat(dlq).extracting(r -> header(r, DeadLetterHeaders.CAUSE)).containsExactly(null, "kaput", "odd one");
        assertThat(dlq.get(2)).satisfies(r -> {
            assertThat(header(r, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("in");
            assertThat(header(r, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("2");
            assertThat(header(r, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("3");
        });
        // the original headers follow, once each; none named like a dead-letter header is copied
        assertThat(dlq.get(0).headers().toArray()).extracting(h -> h.key()).containsExactly(
                Topics.HEADER_ERROR_CLASS, Topics.HEADER_ERROR_MESSAGE, DeadLetterHeaders.EXCEPTION_CLASS_NAME,
                DeadLetterHeaders.REASON, DeadLetterHeaders.SOURCE_TOPIC, DeadLetterHeaders.SOURCE_PARTITION,
                DeadLetterHeaders.SOURCE_OFFSET, "origin", Topics.HEADER_TRACEPARENT);
        assertThat(deadLettered).containsExactly("invalid-json", DeadLetterHeaders.INVALID_RECORD, "odd-class");
        List<ProducerRecord<String, byte[]>> out = mock.history().stream().filter(r -> r.topic().equals("out")).toList();
        assertThat(out).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("A", "B");
        assertThat(header(out.get(1), Topics.HEADER_TRACEPARENT)).isEqualTo(traceparent(4));

        for (int i = 0; i < 4; i++) {
            mock.completeNext();
        }
        assertThat(acks).hasValue(0);
        mock.completeNext();
        assertThat(acks).hasValue(1);
        assertThat(nack.get()).isNull();
    }

    @Test
    void aFailedSendNacksTheBatch() throws Exception {
        KafkaBatchEdge<String> edge = new KafkaBatchEdge<>("things", new BatchProducer(mock), "in.dlq", 1, steps);
        List<ConsumerRecord<String, byte[]>> records = List.of(record(0, "a"), record(1, "b"));
        edge.consume(records, 2, acks::incrementAndGet, nack::set);
        mock.completeNext();
        RuntimeException down = new RuntimeException("broker down");
        mock.errorNext(down);
        assertThat(nack.get()).isSameAs(down);
        assertThat(acks).hasValue(0);
        // the slot of the failed batch is free again: the next batch is taken (one in flight at most)
        edge.consume(List.of(record(2, "c")), 1, acks::incrementAndGet, nack::set);
        mock.completeNext();
        assertThat(acks).hasValue(1);
    }

    @Test
    void aFailingProcessStepNacksAndABatchWithoutRecordsIsAcknowledgedAtOnce() throws Exception {
        KafkaBatchEdge.Steps<String> failing = new KafkaBatchEdge.Steps<>() {
            @Override
            public String parse(ConsumerRecord<String, byte[]> record) {
                return "x";
            }

            @Override
            public void process(List<KafkaBatchEdge.Parsed<String>> valid, KafkaBatchEdge.Batch batch) {
                throw new IllegalStateException("database gone");
            }

            @Override
            public void deadLettered(String errorClass) {
            }
        };
        KafkaBatchEdge<String> edge = new KafkaBatchEdge<>("things", new BatchProducer(mock), "in.dlq", 1, failing);
        edge.consume(List.of(record(0, "a")), 1, acks::incrementAndGet, nack::set);
        assertThat(nack.get()).hasMessage("database gone");
        edge.consume(List.of(), 0, acks::incrementAndGet, nack::set);
        assertThat(acks).hasValue(1);
    }
}
