package dev.fmnist.common.kafka;

import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.common.messaging.Validated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jboss.logging.Logger;

/**
 * The skeleton of the services' Kafka batch consumers, written once: for each polled batch, every
 * record is parsed and validated ({@link Steps#parse}, usually through {@link #read}); an invalid one
 * goes to the dead-letter topic with its original key, bytes and headers and the headers of {@link
 * DeadLetterHeaders} (error class: the {@link InvalidMessageException}'s code, {@link Steps#errorClass}
 * of another failure, else {@value DeadLetterHeaders#INVALID_RECORD}); the valid ones are processed together ({@link Steps#process}),
 * which sends its records through the {@link Batch}. The batch is acknowledged (its offsets become
 * committable) only when every record sent for it, and any other work registered on its {@link
 * BatchCompletion}, is acknowledged; the first failure nacks it. At most {@code maxBatchesInFlight}
 * batches are pending at once: {@link #consume} blocks the polling caller beyond that.
 *
 * <p>Plain Java: each service's SmallRye {@code @Incoming} method hands over the batch's records and
 * its ack/nack.
 */
public final class KafkaBatchEdge<T> {
    private static final Logger LOG = Logger.getLogger(KafkaBatchEdge.class);

    /** A record that passed {@link Steps#parse}, with what it parsed to. */
    public record Parsed<T>(ConsumerRecord<String, byte[]> record, T value) {
    }

    /** What a service does with its records. */
    public interface Steps<T> {
        /** Parses and validates one record; throws {@link InvalidMessageException} (or another exception) when invalid. */
        T parse(ConsumerRecord<String, byte[]> record);

        /** The dead-letter reason of a parse failure other than {@link InvalidMessageException}; null: {@value DeadLetterHeaders#INVALID_RECORD}. */
        default String errorClass(RuntimeException e) {
            return null;
        }

        /** Processes the valid records of one batch (never empty), sending and registering its work on {@code batch}. */
        void process(List<Parsed<T>> valid, Batch batch) throws Exception;

        /** Counts a dead letter (metrics). */
        void deadLettered(String errorClass);
    }

    /** One batch being processed: its completion, and the sends that count on it. */
    public static final class Batch {
        private final BatchCompletion completion;
        private final BatchProducer producer;
        private final String deadLetterTopic;
        private final Consumer<String> deadLettered;

        private Batch(BatchCompletion completion, BatchProducer producer, String deadLetterTopic,
                      Consumer<String> deadLettered) {
            this.completion = completion;
            this.producer = producer;
            this.deadLetterTopic = deadLetterTopic;
            this.deadLettered = deadLettered;
        }

        /** Register other work ({@link BatchCompletion#sending()}) that must finish before the batch is acknowledged. */
        public BatchCompletion completion() {
            return completion;
        }

        /** Sends a record that the batch waits for. */
        public void send(String topic, String key, byte[] value, List<? extends Header> headers) {
            producer.send(topic, key, value, headers, completion);
        }

        /**
         * Sends {@code record} to the dead-letter topic as it came (key, bytes, headers), with the
         * headers of {@link DeadLetterHeaders} first. A failure that is not one of the project's own
         * exceptions is reported as a {@link RecordFailedException} whose cause it is.
         */
        public void deadLetter(ConsumerRecord<String, byte[]> record, String errorClass, RuntimeException failure) {
            deadLettered.accept(errorClass);
            Throwable reported = isOwn(failure) ? failure
                    : new RecordFailedException(DeadLetterHeaders.messageOf(failure), failure);
            List<RecordHeader> headers = new ArrayList<>(12);
            DeadLetterHeaders.of(errorClass, reported, record.topic(), record.partition(), record.offset())
                    .forEach((name, value) -> headers.add(new RecordHeader(name, value)));
            for (Header h : record.headers()) {
                if (!DeadLetterHeaders.NAMES.contains(h.key())) {
                    headers.add(new RecordHeader(h.key(), h.value()));
                }
            }
            LOG.debugf("Dead letter %s-%d@%d (%s): %s", record.topic(), record.partition(), record.offset(), errorClass,
                    reported.getMessage());
            send(deadLetterTopic, record.key(), record.value() == null ? new byte[0] : record.value(), headers);
        }

        private static boolean isOwn(Throwable t) {
            return t.getClass().getName().startsWith(PROJECT_PACKAGE);
        }
    }

    /** The package of the project's own classes: their exceptions are named on dead letters as they are. */
    static final String PROJECT_PACKAGE = "dev.fmnist.";

    private final String name;
    private final BatchProducer producer;
    private final String deadLetterTopic;
    private final Semaphore inFlight;
    private final Steps<T> steps;

    /**
     * @param name               what the batches are, for the log ("images", "predictions")
     * @param producer           sends the results and the dead letters
     * @param maxBatchesInFlight batches not yet acknowledged, at most
     */
    public KafkaBatchEdge(String name, BatchProducer producer, String deadLetterTopic, int maxBatchesInFlight,
                          Steps<T> steps) {
        if (maxBatchesInFlight < 1) {
            throw new IllegalArgumentException("batches in flight must be at least 1, got " + maxBatchesInFlight);
        }
        this.name = name;
        this.producer = producer;
        this.deadLetterTopic = deadLetterTopic;
        this.inFlight = new Semaphore(maxBatchesInFlight);
        this.steps = steps;
    }

    /**
     * Processes one polled batch; {@code ack} or {@code nack} runs once, when its work is acknowledged
     * or failed (possibly after this returns, on a producer thread). Waits while too many batches are pending.
     */
    public void consume(Iterable<ConsumerRecord<String, byte[]>> records, int count, Runnable ack,
                        Consumer<Throwable> nack) throws InterruptedException {
        inFlight.acquire();
        BatchCompletion completion = new BatchCompletion(() -> {
            inFlight.release();
            ack.run();
        }, cause -> {
            inFlight.release();
            if (KafkaAccess.isAccessFailure(cause)) {
                // a secured broker's refusal: the sentence says which permission or credential, the channel stops
                LOG.errorf("A batch of %d %s failed, nacking it: %s", count, name, KafkaAccess.explain(cause));
            } else {
                LOG.errorf(cause, "A batch of %d %s failed: nacking it", count, name);
            }
            nack.accept(cause);
        });
        Batch batch = new Batch(completion, producer, deadLetterTopic, steps::deadLettered);
        try {
            List<Parsed<T>> valid = parse(records, count, batch);
            if (!valid.isEmpty()) {
                steps.process(valid, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            completion.failed(e);
        } catch (Exception e) {
            completion.failed(e);
        }
        completion.seal();
    }

    private List<Parsed<T>> parse(Iterable<ConsumerRecord<String, byte[]>> records, int count, Batch batch) {
        List<Parsed<T>> valid = new ArrayList<>(count);
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                valid.add(new Parsed<>(record, steps.parse(record)));
            } catch (InvalidMessageException e) {
                batch.deadLetter(record, e.reason().code(), e);
            } catch (RuntimeException e) {
                String errorClass = steps.errorClass(e);
                if (errorClass != null) {
                    batch.deadLetter(record, errorClass, e);
                } else {
                    batch.deadLetter(record, DeadLetterHeaders.INVALID_RECORD, new RecordFailedException(
                            e.getClass().getSimpleName() + ": " + e.getMessage(), e));
                }
            }
        }
        return valid;
    }

    /**
     * Parses and validates a record's value as a message of {@code type}; the record's timestamp fills
     * an absent {@code submittedAt}/{@code scoredAt} ({@link Json#read(byte[], Class, Instant)}).
     */
    public static <T extends Validated> T read(ConsumerRecord<?, byte[]> record, Class<T> type) {
        Instant received = record.timestamp() >= 0 ? Instant.ofEpochMilli(record.timestamp()) : null;
        return Json.read(record.value(), type, received);
    }

    /** The record's {@code traceparent} header, to carry onto what it gives, or null. */
    public static RecordHeader traceparent(ConsumerRecord<?, ?> record) {
        if (record == null) {
            return null;
        }
        Header h = record.headers().lastHeader(Topics.HEADER_TRACEPARENT);
        return h == null ? null : new RecordHeader(Topics.HEADER_TRACEPARENT, h.value());
    }

    /** {@link #traceparent} as a header list: empty or one. */
    public static List<RecordHeader> traceHeaders(ConsumerRecord<?, ?> record) {
        RecordHeader trace = traceparent(record);
        return trace == null ? List.of() : List.of(trace);
    }
}
