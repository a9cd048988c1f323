package dev.fmnist.inference.messaging;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.ModelHolder;
import dev.fmnist.inference.service.ModelUnavailableException;
import dev.fmnist.inference.service.ReadinessListener;
import dev.fmnist.inference.service.ScoringService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Scores {@code fmnist.images} in batches (docs/architecture.md, "Kafka edge"): each poll of up
 * to {@code max.poll.records} records is parsed and validated record by record, scored with one
 * model call per model, and answered with one {@link Prediction} per model and valid request on
 * {@code fmnist.predictions}; invalid records go to {@code fmnist.images.dlq} with their original
 * bytes and headers {@code error-class} and {@code error-message}. The batch is acknowledged (its
 * offsets become committable) only when the broker acknowledged every one of those records, so a
 * crash redelivers it (at-least-once). Batches are scored concurrently on the {@link #SCORING_POOL}
 * worker pool, out of order: the throttled commit strategy commits a partition's offsets only up to
 * its first batch not yet acknowledged. Up to {@code inference.max-batches-in-flight} batches wait
 * for acknowledgements while the next ones are scored.
 *
 * <p>The channel starts paused and is resumed once the models are ready (see {@link
 * dev.fmnist.inference.service.ModelLoader}). A request for a model that is not served (not in
 * {@code inference.models}, or without a loaded version) goes to the DLQ with {@code error-class}
 * {@code model-unavailable}; {@code all} means every model that has a loaded version.
 */
@ApplicationScoped
public class ImageBatchConsumer implements ReadinessListener {
    public static final String CHANNEL = "images";
    /**
     * The worker pool that scores Kafka batches, several at once and out of order
     * ({@code smallrye.messaging.worker.inference-scoring.max-concurrency}): one batch at a time left
     * a core idle while the batch in hand parsed JSON, and queued the next polls behind it.
     */
    public static final String SCORING_POOL = "inference-scoring";
    /** DLQ {@code error-class} of a request for a model that is not served. */
    public static final String MODEL_UNAVAILABLE = "model-unavailable";
    /** DLQ {@code error-class} of a record that failed in an unexpected way while being read. */
    public static final String INVALID_RECORD = DeadLetterHeaders.INVALID_RECORD;
    /** Where a dead letter came from (the names SmallRye's own dead-letter queue uses). */
    public static final String HEADER_DLQ_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    public static final String HEADER_DLQ_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    public static final String HEADER_DLQ_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;

    private static final Logger LOG = Logger.getLogger(ImageBatchConsumer.class);

    private final ScoringService scoring;
    private final ModelHolder holder;
    private final ImagePreprocessor preprocessor;
    private final ChannelRegistry channels;
    private final MeterRegistry meters;
    private final ResultProducer results;
    private final String predictionsTopic;
    private final String deadLetterTopic;
    private final Semaphore inFlight;
    private final Map<String, Timer> queueTimers = new ConcurrentHashMap<>();
    private volatile boolean consuming;

    /** A record that passed validation. */
    private record Valid(ConsumerRecord<String, byte[]> record, ScoreRequest request, byte[] pixels,
                         List<String> models) {
    }

    public ImageBatchConsumer(ScoringService scoring, ModelHolder holder, ImagePreprocessor preprocessor,
                              InferenceConfig config, ChannelRegistry channels, MeterRegistry meters,
                              ResultProducer results) {
        this.scoring = scoring;
        this.holder = holder;
        this.preprocessor = preprocessor;
        this.channels = channels;
        this.meters = meters;
        this.results = results;
        this.predictionsTopic = config.producer().predictionsTopic();
        this.deadLetterTopic = config.producer().deadLetterTopic();
        this.inFlight = new Semaphore(config.maxBatchesInFlight());
    }

    /** Starts consuming once the models are ready; the channel is never paused again (models are only swapped). */
    @Override
    public boolean readiness(boolean ready) {
        if (!ready || consuming) {
            return true;
        }
        PausableChannel channel = channels.getPausable(CHANNEL);
        if (channel == null) {
            return false; // messaging not wired yet: asked again at the next check
        }
        channel.resume();
        consuming = true;
        LOG.infof("Models ready: consuming %s", Topics.IMAGES);
        return true;
    }

    @Incoming(CHANNEL)
    @Blocking(value = SCORING_POOL, ordered = false)
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
            LOG.errorf(cause, "Sending the results of a batch of %d records failed: nacking it", metadata.count());
            batch.nack(cause);
        });
        try {
            process(metadata, completion);
        } catch (RuntimeException e) {
            completion.failed(e);
        }
        completion.seal();
        return CompletableFuture.completedFuture(null);
    }

    private void process(IncomingKafkaRecordBatchMetadata<String, byte[]> metadata, BatchCompletion completion) {
        long now = System.currentTimeMillis();
        List<Valid> valid = new ArrayList<>(metadata.count());
        for (ConsumerRecord<String, byte[]> record : metadata.getRecords()) {
            try {
                ScoreRequest request = Json.read(record.value(), ScoreRequest.class);
                List<String> models = servedModels(request);
                valid.add(new Valid(record, request, request.pixels(preprocessor), models));
            } catch (InvalidMessageException e) {
                deadLetter(record, e.reason().code(), e.getMessage(), completion);
            } catch (ModelUnavailableException e) {
                deadLetter(record, MODEL_UNAVAILABLE, e.getMessage(), completion);
            } catch (RuntimeException e) {
                deadLetter(record, INVALID_RECORD, e.getClass().getSimpleName() + ": " + e.getMessage(), completion);
            }
        }
        if (valid.isEmpty()) {
            return;
        }
        Set<String> needed = new LinkedHashSet<>();
        valid.forEach(v -> needed.addAll(v.models()));
        float[] all = new float[valid.size() * ModelScorer.INPUT_SIZE];
        for (int i = 0; i < valid.size(); i++) {
            Pixels.toModelInput(valid.get(i).pixels(), all, i * ModelScorer.INPUT_SIZE);
        }
        String[] images = new String[valid.size()];
        for (String model : needed) {
            int[] rows = rowsFor(valid, model);
            float[] input = rows.length == valid.size() ? all : subset(all, rows);
            Timer queue = queueTimers.computeIfAbsent(model, m -> Timer.builder("inference.queue.time")
                    .description("Time from a request's Kafka timestamp to the start of its model call")
                    .tag("model", m).publishPercentileHistogram().register(meters));
            for (int row : rows) {
                queue.record(Math.max(0, now - valid.get(row).record().timestamp()), TimeUnit.MILLISECONDS);
            }
            ScoringService.Scored scored;
            try {
                scored = scoring.score(ScoringService.KAFKA, model, null, input, rows.length);
            } catch (ModelUnavailableException e) {
                // cannot happen for models checked in servedModels (versions are replaced, never removed)
                for (int row : rows) {
                    deadLetter(valid.get(row).record(), MODEL_UNAVAILABLE, e.getMessage(), completion);
                }
                continue;
            }
            Instant scoredAt = Instant.now();
            for (int i = 0; i < rows.length; i++) {
                Valid v = valid.get(rows[i]);
                if (images[rows[i]] == null) {
                    images[rows[i]] = Pixels.toBase64(v.pixels());
                }
                int label = ModelScorers.argmax(scored.probabilities(), i);
                float[] probabilities = Arrays.copyOfRange(scored.probabilities(), i * ModelScorer.OUTPUT_SIZE,
                        (i + 1) * ModelScorer.OUTPUT_SIZE);
                double latencyMs = Math.max(0, scoredAt.toEpochMilli() - v.record().timestamp());
                Prediction prediction = new Prediction(v.request().id(), scored.model(), label,
                        FashionClass.ofLabel(label).displayName(), probabilities, images[rows[i]], scoredAt, latencyMs,
                        v.request().explain(), v.request().trueLabel());
                RecordHeader trace = traceparent(v.record());
                results.send(predictionsTopic, v.request().id(), Json.write(prediction),
                        trace == null ? List.of() : List.of(trace), completion);
            }
        }
    }

    /** The models a request asks for that are served now; throws when none of them is. */
    private List<String> servedModels(ScoreRequest request) {
        List<String> asked = request.models();
        if (ModelNames.ALL.equals(request.model())) {
            List<String> loaded = asked.stream().filter(m -> holder.version(m).isPresent()).toList();
            if (loaded.isEmpty()) {
                throw new ModelUnavailableException(ModelUnavailableException.Kind.NOT_LOADED,
                        "no model is loaded (served: " + holder.configured() + ")");
            }
            return loaded;
        }
        String model = asked.get(0);
        if (!holder.isConfigured(model)) {
            throw new ModelUnavailableException(ModelUnavailableException.Kind.NOT_CONFIGURED,
                    "model '" + model + "' is not served here (served: " + holder.configured() + ")");
        }
        if (holder.version(model).isEmpty()) {
            throw new ModelUnavailableException(ModelUnavailableException.Kind.NOT_LOADED,
                    "model '" + model + "' has no loaded version yet");
        }
        return asked;
    }

    private static int[] rowsFor(List<Valid> valid, String model) {
        int[] rows = new int[valid.size()];
        int n = 0;
        for (int i = 0; i < valid.size(); i++) {
            if (valid.get(i).models().contains(model)) {
                rows[n++] = i;
            }
        }
        return n == rows.length ? rows : Arrays.copyOf(rows, n);
    }

    private static float[] subset(float[] all, int[] rows) {
        float[] out = new float[rows.length * ModelScorer.INPUT_SIZE];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(all, rows[i] * ModelScorer.INPUT_SIZE, out, i * ModelScorer.INPUT_SIZE,
                    ModelScorer.INPUT_SIZE);
        }
        return out;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String errorClass, String message,
                            BatchCompletion completion) {
        scoring.error(ScoringService.KAFKA, errorClass);
        Header trace = record.headers().lastHeader(Topics.HEADER_TRACEPARENT);
        List<RecordHeader> headers = new ArrayList<>(6);
        DeadLetterHeaders.of(errorClass, message, record.topic(), record.partition(), record.offset(),
                trace == null ? null : trace.value()).forEach((name, value) -> headers.add(new RecordHeader(name, value)));
        LOG.debugf("Dead letter %s-%d@%d (%s): %s", record.topic(), record.partition(), record.offset(), errorClass,
                message);
        results.send(deadLetterTopic, record.key(), record.value() == null ? new byte[0] : record.value(), headers,
                completion);
    }

    private static RecordHeader traceparent(ConsumerRecord<?, ?> record) {
        Header h = record.headers().lastHeader(Topics.HEADER_TRACEPARENT);
        return h == null ? null : new RecordHeader(Topics.HEADER_TRACEPARENT, h.value());
    }
}
