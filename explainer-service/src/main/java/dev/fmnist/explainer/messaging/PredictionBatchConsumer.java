package dev.fmnist.explainer.messaging;

import dev.fmnist.common.kafka.KafkaBatchEdge;
import dev.fmnist.common.kafka.RecordTracing;
import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.WorkItem;
import dev.fmnist.explainer.repository.XaiWriteRepository;
import dev.fmnist.explainer.service.DatabaseRetry;
import dev.fmnist.explainer.service.ExplanationPolicy;
import dev.fmnist.explainer.service.ExplanationWorkers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Consumes {@code fmnist.predictions} in batches (docs/architecture.md, "Kafka edge"). Per poll of
 * up to {@code max.poll.records} records:
 * <ol>
 * <li>each record is parsed and validated ({@link Prediction}); an invalid one goes to {@code
 *     fmnist.predictions.dlq} with its original bytes and headers {@code error-class} and {@code
 *     error-message}, and consumption goes on;</li>
 * <li>every valid prediction is stored in {@code xai.prediction}, and one work item per configured
 *     method of the requested and sampled ones in {@code xai.explanation_work}, in one transaction
 *     ({@code ON CONFLICT DO NOTHING}; an item whose explanation is stored already is not queued again);
 *     while PostgreSQL cannot be reached this thread waits and retries ({@link DatabaseRetry}), so the
 *     connector pauses and nothing is lost;</li>
 * <li>the workers ({@link ExplanationWorkers}) are woken up; they explain, store and announce from the
 *     queue, however long that takes.</li>
 * </ol>
 * The batch is acknowledged (its offsets become committable) once that transaction committed and every
 * dead letter is acknowledged by the broker, so predictions are stored as fast as they arrive, whatever the
 * explanation backlog; the queue is durable, so no requested explanation is lost with the offsets. The
 * skeleton (parse, dead letters, acknowledgement) is common's {@link KafkaBatchEdge}; dead letters leave
 * through the plain {@link EventProducer}.
 *
 * <p>Tracing (docs/architecture.md, "Tracing"): each record is a consumer span {@code fmnist.predictions process} in the
 * trace its {@code traceparent} names (the batch skeleton's); the transaction is a span {@code store predictions}
 * under the first record's, linked to the others'. Each prediction row and work item keeps its record's consumer
 * span as {@code traceparent} (V4), so the worker's spans join the same trace however much later it explains.
 *
 * <p>Metrics: {@code explainer.prediction.lag{model}} (scoring to storage, {@code now - scoredAt} at commit),
 * {@code explainer.predictions{model,reason}}, {@code explainer.predictions.stored}, {@code
 * explainer.explanations.queued}, {@code explainer.dead.letters{error_class}}.
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
    private final ExplanationWorkers workers;
    private final MeterRegistry meters;
    private final KafkaBatchEdge<Prediction> edge;
    private final Counter stored;
    private final Counter queued;

    public PredictionBatchConsumer(XaiWriteRepository repository, DatabaseRetry retry, ExplanationPolicy policy,
                                   ExplanationWorkers workers, ExplainerConfig config, MeterRegistry meters,
                                   EventProducer events, OpenTelemetry openTelemetry,
                                   @ConfigProperty(name = "mp.messaging.incoming.predictions.group.id") String group) {
        if (config.maxBatchesInFlight() < 1) {
            throw new IllegalArgumentException("explainer.max-batches-in-flight must be at least 1, got "
                    + config.maxBatchesInFlight());
        }
        this.repository = repository;
        this.retry = retry;
        this.policy = policy;
        this.workers = workers;
        this.meters = meters;
        this.edge = new KafkaBatchEdge<>("predictions", events.producer(), Topics.PREDICTIONS_DLQ,
                config.maxBatchesInFlight(), this, new RecordTracing(openTelemetry), group);
        this.stored = Counter.builder("explainer.predictions.stored").description("New rows in xai.prediction")
                .register(meters);
        this.queued = Counter.builder("explainer.explanations.queued")
                .description("New items in the explanation work queue").register(meters);
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
        List<Context> links = new ArrayList<>(parsed.size() - 1);
        for (int i = 1; i < parsed.size(); i++) {
            links.add(parsed.get(i).trace());
        }
        Span span = batch.tracing().startInternal(STORE_SPAN, parsed.get(0).trace(), links);
        try {
            store(parsed, span);
        } catch (SQLException e) {
            RecordTracing.failed(span, e);
            throw new IllegalStateException("cannot store predictions: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            RecordTracing.failed(span, e);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the database", e);
        } catch (RuntimeException e) {
            RecordTracing.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** The span of a batch's transaction (predictions and work items). */
    public static final String STORE_SPAN = "store predictions";

    /** The event of {@link #STORE_SPAN} at the transaction's commit. */
    public static final String COMMITTED_EVENT = "committed";

    private void store(List<KafkaBatchEdge.Parsed<Prediction>> parsed, Span span) throws SQLException, InterruptedException {
        List<Prediction> valid = new ArrayList<>(parsed.size());
        List<String> traceparents = new ArrayList<>(parsed.size());
        // one item per key: a batch may carry the same prediction twice (a producer's retry)
        Map<ExplanationKey, WorkItem.New> work = new LinkedHashMap<>();
        for (KafkaBatchEdge.Parsed<Prediction> parsedRecord : parsed) {
            Prediction p = parsedRecord.value();
            String traceparent = RecordTracing.traceparent(parsedRecord.trace());
            valid.add(p);
            traceparents.add(traceparent);
            ExplanationPolicy.Reason reason = policy.reason(p);
            meters.counter("explainer.predictions", "model", p.model().name(), "reason", reason.column()).increment();
            if (reason == ExplanationPolicy.Reason.NOT_SAMPLED) {
                continue;
            }
            for (String method : policy.methods(p.model().name())) {
                ExplanationKey key = new ExplanationKey(p.requestId(), p.model(), method);
                work.putIfAbsent(key, new WorkItem.New(key, reason.column(), traceparent));
            }
        }
        List<WorkItem.New> items = List.copyOf(work.values());
        XaiWriteRepository.Added added = retry.call("storing predictions",
                () -> repository.storeBatch(valid, traceparents, items));
        // the work items are visible from here on: a worker may start explaining before this span ends
        span.addEvent(COMMITTED_EVENT);
        Instant now = Instant.now();
        for (Prediction p : valid) {
            Timer.builder("explainer.prediction.lag")
                    .description("Scoring to storage: now - scoredAt when the prediction's transaction committed")
                    .tags("model", p.model().name()).publishPercentileHistogram().register(meters)
                    .record(ExplanationPolicy.lag(p.scoredAt(), now));
        }
        stored.increment(added.predictions());
        queued.increment(added.work());
        if (added.work() > 0) {
            workers.wakeUp();
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
}
