package dev.fmnist.common.kafka;

import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.MessageCodec;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.common.messaging.Validated;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
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
 * <p>Tracing ({@link RecordTracing}): every record gets a consumer span, {@code <topic> process}, whose parent is
 * the context its {@code traceparent} header names; it ends once the batch's steps are done (parsed and processed,
 * its records handed to the producer). Records sent for it ({@link Batch#send(String, String, byte[], Context)}, dead
 * letters) carry that span's {@code traceparent}, so the next service's spans join the same trace.
 *
 * <p>Plain Java: each service's SmallRye {@code @Incoming} method hands over the batch's records and
 * its ack/nack.
 */
public final class KafkaBatchEdge<T> {
    private static final Logger LOG = Logger.getLogger(KafkaBatchEdge.class);

    /**
     * A record that passed {@link Steps#parse}, with what it parsed to and the context of its consumer span (the
     * parent of the work done for it, and what the records it gives carry).
     */
    public record Parsed<T>(ConsumerRecord<String, byte[]> record, T value, Context trace) {
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
        private final RecordTracing tracing;

        private Batch(BatchCompletion completion, BatchProducer producer, String deadLetterTopic,
                      Consumer<String> deadLettered, RecordTracing tracing) {
            this.completion = completion;
            this.producer = producer;
            this.deadLetterTopic = deadLetterTopic;
            this.deadLettered = deadLettered;
            this.tracing = tracing;
        }

        /** The tracing the batch's spans come from (for the spans of a step's own work). */
        public RecordTracing tracing() {
            return tracing;
        }

        /** Register other work ({@link BatchCompletion#sending()}) that must finish before the batch is acknowledged. */
        public BatchCompletion completion() {
            return completion;
        }

        /** Sends a record that the batch waits for. */
        public void send(String topic, String key, byte[] value, List<? extends Header> headers) {
            producer.send(topic, key, value, headers, completion);
        }

        /** Sends a record that the batch waits for, carrying {@code trace} ({@code traceparent}, {@code tracestate}). */
        public void send(String topic, String key, byte[] value, Context trace) {
            producer.send(topic, key, value, tracing.headers(trace), completion);
        }

        /**
         * Sends a record that the batch waits for, with {@code headers} ({@code content-type}) and then
         * {@code trace}'s.
         */
        public void send(String topic, String key, byte[] value, List<? extends Header> headers, Context trace) {
            if (headers.isEmpty()) {
                send(topic, key, value, trace);
                return;
            }
            List<Header> all = new ArrayList<>(headers);
            all.addAll(tracing.headers(trace));
            producer.send(topic, key, value, all, completion);
        }

        /**
         * Sends {@code record} to the dead-letter topic as it came (key, bytes, headers), with the
         * headers of {@link DeadLetterHeaders} first. A failure that is not one of the project's own
         * exceptions is reported as a {@link RecordFailedException} whose cause it is.
         */
        public void deadLetter(ConsumerRecord<String, byte[]> record, String errorClass, RuntimeException failure) {
            deadLetter(record, errorClass, failure, tracing.extract(record));
        }

        /** {@link #deadLetter(ConsumerRecord, String, RuntimeException)}, the dead letter carrying {@code trace}. */
        public void deadLetter(ConsumerRecord<String, byte[]> record, String errorClass, RuntimeException failure,
                               Context trace) {
            deadLettered.accept(errorClass);
            Throwable reported = isOwn(failure) ? failure
                    : new RecordFailedException(DeadLetterHeaders.messageOf(failure), failure);
            List<RecordHeader> headers = new ArrayList<>(12);
            DeadLetterHeaders.of(errorClass, reported, record.topic(), record.partition(), record.offset())
                    .forEach((name, value) -> headers.add(new RecordHeader(name, value)));
            for (Header h : record.headers()) {
                if (!DeadLetterHeaders.NAMES.contains(h.key()) && !isTraceHeader(h.key())) {
                    headers.add(new RecordHeader(h.key(), h.value()));
                }
            }
            headers.addAll(tracing.headers(trace));
            LOG.debugf("Dead letter %s-%d@%d (%s): %s", record.topic(), record.partition(), record.offset(), errorClass,
                    reported.getMessage());
            send(deadLetterTopic, record.key(), record.value() == null ? new byte[0] : record.value(), headers);
        }

        private static boolean isOwn(Throwable t) {
            return t.getClass().getName().startsWith(PROJECT_PACKAGE);
        }

        private static boolean isTraceHeader(String key) {
            return Topics.HEADER_TRACEPARENT.equals(key) || RecordTracing.HEADER_TRACESTATE.equals(key);
        }
    }

    /** The package of the project's own classes: their exceptions are named on dead letters as they are. */
    static final String PROJECT_PACKAGE = "dev.fmnist.";

    private final String name;
    private final BatchProducer producer;
    private final String deadLetterTopic;
    private final Semaphore inFlight;
    private final Steps<T> steps;
    private final RecordTracing tracing;
    private final String consumerGroup;

    /**
     * @param name               what the batches are, for the log ("images", "predictions")
     * @param producer           sends the results and the dead letters
     * @param maxBatchesInFlight batches not yet acknowledged, at most
     */
    public KafkaBatchEdge(String name, BatchProducer producer, String deadLetterTopic, int maxBatchesInFlight,
                          Steps<T> steps) {
        this(name, producer, deadLetterTopic, maxBatchesInFlight, steps, RecordTracing.NOOP, null);
    }

    /**
     * @param tracing       the spans of the records ({@link RecordTracing#NOOP}: none, contexts still carried on)
     * @param consumerGroup the consuming group, an attribute of the consumer spans (null: none)
     */
    public KafkaBatchEdge(String name, BatchProducer producer, String deadLetterTopic, int maxBatchesInFlight,
                          Steps<T> steps, RecordTracing tracing, String consumerGroup) {
        if (maxBatchesInFlight < 1) {
            throw new IllegalArgumentException("batches in flight must be at least 1, got " + maxBatchesInFlight);
        }
        Lz4Natives.load(); // the records' lz4 batches in native code, not pure Java (Lz4Natives)
        this.name = name;
        this.producer = producer;
        this.deadLetterTopic = deadLetterTopic;
        this.inFlight = new Semaphore(maxBatchesInFlight);
        this.steps = steps;
        this.tracing = tracing;
        this.consumerGroup = consumerGroup;
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
        Batch batch = new Batch(completion, producer, deadLetterTopic, steps::deadLettered, tracing);
        List<Span> spans = new ArrayList<>(count);
        try {
            List<Parsed<T>> valid = parse(records, count, batch, spans);
            if (!valid.isEmpty()) {
                steps.process(valid, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(spans, e);
            completion.failed(e);
        } catch (Exception e) {
            failed(spans, e);
            completion.failed(e);
        }
        // every record of this batch is handed over: no reason to wait out linger.ms for more (BatchProducer#sendNow)
        producer.sendNow();
        for (Span span : spans) {
            span.end();
        }
        completion.seal();
    }

    private List<Parsed<T>> parse(Iterable<ConsumerRecord<String, byte[]>> records, int count, Batch batch,
                                  List<Span> spans) {
        List<Parsed<T>> valid = new ArrayList<>(count);
        for (ConsumerRecord<String, byte[]> record : records) {
            Span span = tracing.startConsumer(record, consumerGroup);
            spans.add(span);
            Context trace = Context.root().with(span);
            try {
                valid.add(new Parsed<>(record, steps.parse(record), trace));
            } catch (InvalidMessageException e) {
                RecordTracing.failed(span, e);
                batch.deadLetter(record, e.reason().code(), e, trace);
            } catch (RuntimeException e) {
                RecordTracing.failed(span, e);
                String errorClass = steps.errorClass(e);
                if (errorClass != null) {
                    batch.deadLetter(record, errorClass, e, trace);
                } else {
                    batch.deadLetter(record, DeadLetterHeaders.INVALID_RECORD, new RecordFailedException(
                            e.getClass().getSimpleName() + ": " + e.getMessage(), e), trace);
                }
            }
        }
        return valid;
    }

    private static void failed(List<Span> spans, Throwable e) {
        for (Span span : spans) {
            RecordTracing.failed(span, e);
        }
    }

    /**
     * Parses and validates a record's value as a message of {@code type}, JSON or Protobuf as its {@code content-type}
     * header says ({@link MessageCodec}); the record's timestamp fills an absent {@code submittedAt}/{@code scoredAt}
     * ({@link Json#read(byte[], Class, Instant)}).
     */
    public static <T extends Validated> T read(ConsumerRecord<?, byte[]> record, Class<T> type) {
        Instant received = record.timestamp() >= 0 ? Instant.ofEpochMilli(record.timestamp()) : null;
        return MessageCodec.read(record.headers(), record.value(), type, received);
    }
}
