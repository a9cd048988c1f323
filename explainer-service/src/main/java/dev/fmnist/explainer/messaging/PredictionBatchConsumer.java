package dev.fmnist.explainer.messaging;

import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.ExplanationStatus;
import dev.fmnist.explainer.domain.StoredExplanation;
import dev.fmnist.explainer.repository.XaiWriteRepository;
import dev.fmnist.explainer.service.DatabaseRetry;
import dev.fmnist.explainer.service.ExplanationPolicy;
import dev.fmnist.explainer.service.ExplanationService;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Consumes {@code fmnist.predictions} in batches (docs/architecture.md, "Kafka edge"). Per poll of
 * up to {@code max.poll.records} records:
 * <ol>
 * <li>each record is parsed and validated ({@link Prediction}); an invalid one goes to {@code
 *     fmnist.predictions.dlq} with its original bytes and headers {@code error-class} and {@code
 *     error-message}, and consumption goes on;</li>
 * <li>every valid prediction is stored in {@code xai.prediction} in one transaction ({@code ON
 *     CONFLICT DO NOTHING}); while PostgreSQL cannot be reached this thread waits and retries
 *     ({@link DatabaseRetry}), so the connector pauses and nothing is lost;</li>
 * <li>requested and sampled predictions get one explanation per configured method of their model,
 *     queued on the worker pool ({@link ExplanationService}), except those already stored (a
 *     replay recomputes nothing);</li>
 * <li>after each explanation commits, {@code ExplanationStored} goes to {@code fmnist.explanations}
 *     (key: request id). An explanation found already stored and succeeded is announced again:
 *     delivery is at-least-once, and consumers deduplicate by explanation id.</li>
 * </ol>
 * The batch is acknowledged (its offsets become committable) only when every explanation is stored
 * and every event and dead letter is acknowledged by the broker; a failure nacks it. Up to {@code
 * explainer.max-batches-in-flight} batches are pending at once, which bounds the work queue.
 */
@ApplicationScoped
public class PredictionBatchConsumer {
    public static final String CHANNEL = "predictions";
    public static final String EXPLANATIONS_CHANNEL = "explanations-out";
    public static final String DLQ_CHANNEL = "predictions-dlq-out";
    /** DLQ {@code error-class} of a record that failed in an unexpected way while being read. */
    public static final String INVALID_RECORD = DeadLetterHeaders.INVALID_RECORD;
    /** Where a dead letter came from (the names SmallRye's own dead-letter queue uses). */
    public static final String HEADER_DLQ_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    public static final String HEADER_DLQ_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    public static final String HEADER_DLQ_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;

    private static final Logger LOG = Logger.getLogger(PredictionBatchConsumer.class);

    private final XaiWriteRepository repository;
    private final DatabaseRetry retry;
    private final ExplanationPolicy policy;
    private final ExplanationService explainer;
    private final MeterRegistry meters;
    private final Emitter<byte[]> events;
    private final Emitter<byte[]> deadLetters;
    private final Semaphore inFlight;

    public PredictionBatchConsumer(XaiWriteRepository repository, DatabaseRetry retry, ExplanationPolicy policy, ExplanationService explainer,
                                   ExplainerConfig config, MeterRegistry meters,
                                   @Channel(EXPLANATIONS_CHANNEL) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
                                   Emitter<byte[]> events,
                                   @Channel(DLQ_CHANNEL) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
                                   Emitter<byte[]> deadLetters) {
        if (config.maxBatchesInFlight() < 1) {
            throw new IllegalArgumentException("explainer.max-batches-in-flight must be at least 1, got "
                    + config.maxBatchesInFlight());
        }
        this.repository = repository;
        this.retry = retry;
        this.policy = policy;
        this.explainer = explainer;
        this.meters = meters;
        this.events = events;
        this.deadLetters = deadLetters;
        this.inFlight = new Semaphore(config.maxBatchesInFlight());
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<List<byte[]>> batch) throws InterruptedException {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordBatchMetadata<String, byte[]> metadata = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .orElseThrow(() -> new IllegalStateException("channel " + CHANNEL + " must be a Kafka batch channel"));
        inFlight.acquire();
        BatchCompletion completion = new BatchCompletion(() -> {
            inFlight.release();
            batch.ack();
        }, cause -> {
            inFlight.release();
            LOG.errorf(cause, "A batch of %d predictions failed: nacking it", metadata.count());
            batch.nack(cause);
        });
        try {
            process(metadata, completion);
        } catch (SQLException e) {
            completion.failed(new IllegalStateException("cannot store predictions: " + e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            completion.failed(new IllegalStateException("interrupted while waiting for the database", e));
        } catch (RuntimeException e) {
            completion.failed(e);
        }
        completion.seal();
        return CompletableFuture.completedFuture(null);
    }

    private void process(IncomingKafkaRecordBatchMetadata<String, byte[]> metadata, BatchCompletion completion)
            throws SQLException, InterruptedException {
        List<Prediction> valid = new ArrayList<>(metadata.count());
        Map<Prediction, ConsumerRecord<String, byte[]>> recordOf = new java.util.IdentityHashMap<>();
        for (ConsumerRecord<String, byte[]> record : metadata.getRecords()) {
            try {
                Prediction p = Json.read(record.value(), Prediction.class);
                checkBeyondContract(p);
                valid.add(p);
                recordOf.put(p, record);
            } catch (InvalidMessageException e) {
                deadLetter(record, e.reason().code(), e.getMessage(), completion);
            } catch (RuntimeException e) {
                deadLetter(record, INVALID_RECORD, e.getClass().getSimpleName() + ": " + e.getMessage(), completion);
            }
        }
        if (valid.isEmpty()) {
            return;
        }
        int added = retry.call("storing predictions", () -> repository.storePredictions(valid));
        meters.counter("explainer.predictions.stored").increment(added);

        // one task per key: a batch may carry the same prediction twice (a producer's retry)
        Map<ExplanationKey, ExplanationService.Task> tasks = new LinkedHashMap<>();
        for (Prediction p : valid) {
            ExplanationPolicy.Reason reason = policy.reason(p);
            meters.counter("explainer.predictions", "model", p.model().name(), "reason", reason.column()).increment();
            if (reason == ExplanationPolicy.Reason.NOT_SAMPLED) {
                continue;
            }
            for (String method : policy.methods(p.model().name())) {
                ExplanationService.Task task = new ExplanationService.Task(p, method, reason);
                tasks.putIfAbsent(task.key(), task);
            }
        }
        if (tasks.isEmpty()) {
            return;
        }
        Map<ExplanationKey, StoredExplanation> existing = retry.call("reading stored explanations",
                () -> repository.existing(tasks.keySet()));
        for (ExplanationService.Task task : tasks.values()) {
            StoredExplanation stored = existing.get(task.key());
            RecordHeader trace = traceparent(recordOf.get(task.prediction()));
            if (stored != null) {
                if (stored.status() == ExplanationStatus.SUCCEEDED) {
                    announce(task, stored, trace, completion);
                }
                continue;
            }
            completion.sending();
            explainer.submit(task).whenComplete((outcome, failure) -> {
                if (failure != null) {
                    completion.failed(failure);
                    return;
                }
                if (!outcome.shed() && outcome.stored().status() == ExplanationStatus.SUCCEEDED) {
                    announce(task, outcome.stored(), trace, completion);
                }
                completion.acknowledged();
            });
        }
    }

    /** What {@link Prediction#validate()} leaves open but storage needs. */
    private static void checkBeyondContract(Prediction p) {
        if (p.scoredAt() == null) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_FIELD, "scoredAt is missing");
        }
        if (p.requestId().length() > ScoreRequest.MAX_ID_LENGTH) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_FIELD,
                    "requestId is longer than " + ScoreRequest.MAX_ID_LENGTH + " characters");
        }
    }

    private void announce(ExplanationService.Task task, StoredExplanation stored, RecordHeader trace,
                          BatchCompletion completion) {
        ExplanationStored event = new ExplanationStored(task.prediction().requestId(), task.prediction().model(),
                task.method(), stored.id());
        send(events, event.requestId(), Json.write(event), trace == null ? List.of() : List.of(trace), completion);
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String errorClass, String message,
                            BatchCompletion completion) {
        meters.counter("explainer.dead.letters", "error_class", errorClass).increment();
        Header trace = record.headers().lastHeader(Topics.HEADER_TRACEPARENT);
        List<RecordHeader> headers = new ArrayList<>(6);
        DeadLetterHeaders.of(errorClass, message, record.topic(), record.partition(), record.offset(),
                trace == null ? null : trace.value()).forEach((name, value) -> headers.add(new RecordHeader(name, value)));
        LOG.debugf("Dead letter %s-%d@%d (%s): %s", record.topic(), record.partition(), record.offset(), errorClass,
                message);
        send(deadLetters, record.key(), record.value() == null ? new byte[0] : record.value(), headers, completion);
    }

    private static void send(Emitter<byte[]> emitter, String key, byte[] value, List<RecordHeader> headers,
                             BatchCompletion completion) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key).withHeaders(headers).build();
        completion.sending();
        try {
            emitter.send(Message.of(value, Metadata.of(metadata), completion::acknowledged, completion::failed));
        } catch (RuntimeException e) {
            completion.failed(e);
        }
    }

    private static RecordHeader traceparent(ConsumerRecord<?, ?> record) {
        if (record == null) {
            return null;
        }
        Header h = record.headers().lastHeader(Topics.HEADER_TRACEPARENT);
        return h == null ? null : new RecordHeader(Topics.HEADER_TRACEPARENT, h.value());
    }
}
