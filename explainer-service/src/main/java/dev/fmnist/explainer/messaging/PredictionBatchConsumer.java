package dev.fmnist.explainer.messaging;

import dev.fmnist.common.kafka.KafkaBatchEdge;
import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Prediction;
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
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

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
 * explainer.max-batches-in-flight} batches are pending at once, which bounds the work queue. The skeleton
 * (parse, dead letters, acknowledgement) is common's {@link KafkaBatchEdge}; records leave through the
 * plain {@link EventProducer}.
 */
@ApplicationScoped
public class PredictionBatchConsumer implements KafkaBatchEdge.Steps<Prediction> {
    public static final String CHANNEL = "predictions";
    /** DLQ {@code error-class} of a record that failed in an unexpected way while being read. */
    public static final String INVALID_RECORD = DeadLetterHeaders.INVALID_RECORD;
    /** Where a dead letter came from (the names SmallRye's own dead-letter queue uses). */
    public static final String HEADER_DLQ_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    public static final String HEADER_DLQ_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    public static final String HEADER_DLQ_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;

    private final XaiWriteRepository repository;
    private final DatabaseRetry retry;
    private final ExplanationPolicy policy;
    private final ExplanationService explainer;
    private final MeterRegistry meters;
    private final KafkaBatchEdge<Prediction> edge;

    public PredictionBatchConsumer(XaiWriteRepository repository, DatabaseRetry retry, ExplanationPolicy policy, ExplanationService explainer,
                                   ExplainerConfig config, MeterRegistry meters, EventProducer events) {
        if (config.maxBatchesInFlight() < 1) {
            throw new IllegalArgumentException("explainer.max-batches-in-flight must be at least 1, got "
                    + config.maxBatchesInFlight());
        }
        this.repository = repository;
        this.retry = retry;
        this.policy = policy;
        this.explainer = explainer;
        this.meters = meters;
        this.edge = new KafkaBatchEdge<>("predictions", events.producer(), Topics.PREDICTIONS_DLQ,
                config.maxBatchesInFlight(), this);
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<List<byte[]>> batch) throws InterruptedException {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordBatchMetadata<String, byte[]> metadata = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .orElseThrow(() -> new IllegalStateException("channel " + CHANNEL + " must be a Kafka batch channel"));
        edge.consume(metadata.getRecords(), metadata.count(), batch::ack, batch::nack);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Prediction parse(ConsumerRecord<String, byte[]> record) {
        Prediction p = KafkaBatchEdge.read(record, Prediction.class);
        checkBeyondContract(p);
        return p;
    }

    @Override
    public void deadLettered(String errorClass) {
        meters.counter("explainer.dead.letters", "error_class", errorClass).increment();
    }

    @Override
    public void process(List<KafkaBatchEdge.Parsed<Prediction>> parsed, KafkaBatchEdge.Batch batch) {
        try {
            explain(parsed, batch);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store predictions: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the database", e);
        }
    }

    private void explain(List<KafkaBatchEdge.Parsed<Prediction>> parsed, KafkaBatchEdge.Batch batch)
            throws SQLException, InterruptedException {
        List<Prediction> valid = new ArrayList<>(parsed.size());
        Map<Prediction, ConsumerRecord<String, byte[]>> recordOf = new IdentityHashMap<>();
        for (KafkaBatchEdge.Parsed<Prediction> p : parsed) {
            valid.add(p.value());
            recordOf.put(p.value(), p.record());
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
        BatchCompletion completion = batch.completion();
        for (ExplanationService.Task task : tasks.values()) {
            StoredExplanation stored = existing.get(task.key());
            List<RecordHeader> trace = KafkaBatchEdge.traceHeaders(recordOf.get(task.prediction()));
            if (stored != null) {
                if (stored.status() == ExplanationStatus.SUCCEEDED) {
                    announce(task, stored, trace, batch);
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
                    announce(task, outcome.stored(), trace, batch);
                }
                completion.acknowledged();
            });
        }
    }

    /** What {@link Prediction#validate()} leaves open but storage needs. */
    private static void checkBeyondContract(Prediction p) {
        if (p.scoredAt() == null) {
            // only a record without a timestamp (scoredAt defaults to it)
            throw InvalidMessageException.missing(InvalidMessageException.Reason.INVALID_FIELD, "scoredAt",
                    "an ISO-8601 date-time with a zone offset (or a record timestamp)");
        }
    }

    private static void announce(ExplanationService.Task task, StoredExplanation stored, List<RecordHeader> trace,
                                 KafkaBatchEdge.Batch batch) {
        ExplanationStored event = new ExplanationStored(task.prediction().requestId(), task.prediction().model(),
                task.method(), stored.id());
        batch.send(Topics.EXPLANATIONS, event.requestId(), Json.write(event), trace);
    }
}
