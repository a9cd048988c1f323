package dev.fmnist.inference.messaging;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.kafka.KafkaBatchEdge;
import dev.fmnist.common.kafka.RecordTracing;
import dev.fmnist.common.messaging.DeadLetterHeaders;
import dev.fmnist.common.messaging.MessageCodec;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ProtobufMessages;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.common.messaging.WireFormat;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.ModelHolder;
import dev.fmnist.inference.service.ModelUnavailableException;
import dev.fmnist.inference.service.ReadinessListener;
import dev.fmnist.inference.service.ScoringService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Scores {@code fmnist.images} in batches (docs/architecture.md, "Kafka edge"): each poll of up
 * to {@code max.poll.records} records is parsed and validated record by record, scored with one
 * model call per model, and answered with one {@link Prediction} per model and valid request on
 * {@code fmnist.predictions}, JSON or Protobuf as the request was ({@code inference.predictions.format},
 * docs/protobuf.md); invalid records go to {@code fmnist.images.dlq} with their original
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
 *
 * <p>Tracing (docs/architecture.md, "Tracing"): each record is a consumer span {@code fmnist.images process} in
 * the trace its {@code traceparent} names (the batch skeleton's); each model call a span {@code score <model>} under
 * the first of its records, linked to the others; each prediction carries its request's consumer span as
 * {@code traceparent}. SmallRye's own per-message tracing is off for this batch channel.
 */
@ApplicationScoped
public class ImageBatchConsumer implements ReadinessListener, KafkaBatchEdge.Steps<ImageBatchConsumer.Valid> {
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
    private final String predictionsTopic;
    private final InferenceConfig.Predictions.Format predictionFormat;
    private final KafkaBatchEdge<Valid> edge;
    private final Map<String, Timer> queueTimers = new ConcurrentHashMap<>();
    private volatile boolean consuming;

    /** A record that passed validation, with the format its predictions are written in. */
    record Valid(ScoreRequest request, byte[] pixels, List<String> models, WireFormat answer) {
    }

    public ImageBatchConsumer(ScoringService scoring, ModelHolder holder, ImagePreprocessor preprocessor,
                              InferenceConfig config, ChannelRegistry channels, MeterRegistry meters,
                              ResultProducer results, OpenTelemetry openTelemetry,
                              @ConfigProperty(name = "mp.messaging.incoming.images.group.id") String group) {
        this.scoring = scoring;
        this.holder = holder;
        this.preprocessor = preprocessor;
        this.channels = channels;
        this.meters = meters;
        this.predictionsTopic = config.producer().predictionsTopic();
        this.predictionFormat = config.predictions().format();
        this.edge = new KafkaBatchEdge<>("images", results.producer(), config.producer().deadLetterTopic(),
                config.maxBatchesInFlight(), this, new RecordTracing(openTelemetry), group);
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
        edge.consume(metadata.getRecords(), metadata.count(), batch::ack, batch::nack);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Valid parse(ConsumerRecord<String, byte[]> record) {
        // the format is read once; a Protobuf image stays the bytes it came as (no base64 string in between)
        WireFormat format = WireFormat.of(record.headers(), ProtobufMessages.SCORE_REQUEST);
        ScoreRequest request;
        byte[] pixels;
        if (format == WireFormat.PROTOBUF) {
            ProtobufMessages.RawScoreRequest raw = ProtobufMessages.readScoreRequestRaw(record.value(),
                    record.timestamp() >= 0 ? Instant.ofEpochMilli(record.timestamp()) : null);
            request = raw.request();
            pixels = ScoreRequest.pixels(raw.image(), preprocessor);
        } else {
            request = KafkaBatchEdge.read(record, ScoreRequest.class);
            pixels = request.pixels(preprocessor);
        }
        List<String> models = servedModels(request);
        return new Valid(request, pixels, models, answerFormat(format));
    }

    /** The format of the predictions answering a request in {@code requestFormat} ({@code inference.predictions.format}). */
    private WireFormat answerFormat(WireFormat requestFormat) {
        return switch (predictionFormat) {
            case JSON -> WireFormat.JSON;
            case PROTOBUF -> WireFormat.PROTOBUF;
            case AS_REQUEST -> requestFormat;
        };
    }

    @Override
    public String errorClass(RuntimeException e) {
        return e instanceof ModelUnavailableException ? MODEL_UNAVAILABLE : null;
    }

    @Override
    public void deadLettered(String errorClass) {
        scoring.error(ScoringService.KAFKA, errorClass);
    }

    @Override
    public void process(List<KafkaBatchEdge.Parsed<Valid>> valid, KafkaBatchEdge.Batch batch) {
        long now = System.currentTimeMillis();
        Set<String> needed = new LinkedHashSet<>();
        valid.forEach(v -> needed.addAll(v.value().models()));
        float[] all = new float[valid.size() * ModelScorer.INPUT_SIZE];
        for (int i = 0; i < valid.size(); i++) {
            Pixels.toModelInput(valid.get(i).value().pixels(), all, i * ModelScorer.INPUT_SIZE);
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
            List<Context> traces = new ArrayList<>(rows.length);
            for (int row : rows) {
                traces.add(valid.get(row).trace());
            }
            ScoringService.Scored scored;
            try {
                scored = scoring.score(ScoringService.KAFKA, model, null, input, rows.length, traces.get(0),
                        traces.subList(1, traces.size()));
            } catch (ModelUnavailableException e) {
                // cannot happen for models checked in servedModels (versions are replaced, never removed)
                for (int row : rows) {
                    batch.deadLetter(valid.get(row).record(), MODEL_UNAVAILABLE, e, valid.get(row).trace());
                }
                continue;
            }
            Instant scoredAt = Instant.now();
            for (int i = 0; i < rows.length; i++) {
                send(valid.get(rows[i]), scored, i, scoredAt, images, rows[i], batch);
            }
        }
    }

    /**
     * The prediction of row {@code i} of {@code scored}, sent. A method of its own, not the body of the loop in
     * {@link #process}: {@code process} runs once per batch, so the JIT compiled the loop by on-stack replacement, the
     * whole method at once, about 0.9 s of C2 per compilation and three of them in one lenet run on 2 cores (JFR); a
     * method called once per record is compiled early and on its own (benchmarks/NOTES.md, "C2 under load").
     */
    private void send(KafkaBatchEdge.Parsed<Valid> v, ScoringService.Scored scored, int i, Instant scoredAt,
                      String[] images, int row, KafkaBatchEdge.Batch batch) {
        ScoreRequest request = v.value().request();
        WireFormat format = v.value().answer();
        // Protobuf carries the pixels as bytes: the base64 string is made only for a JSON prediction (once per image,
        // whichever models it asked for)
        if (format == WireFormat.JSON && images[row] == null) {
            images[row] = Pixels.toBase64(v.value().pixels());
        }
        int label = ModelScorers.argmax(scored.probabilities(), i);
        float[] probabilities = Arrays.copyOfRange(scored.probabilities(), i * ModelScorer.OUTPUT_SIZE,
                (i + 1) * ModelScorer.OUTPUT_SIZE);
        double latencyMs = Math.max(0, scoredAt.toEpochMilli() - v.record().timestamp());
        Prediction prediction = new Prediction(request.id(), scored.model(), label,
                FashionClass.ofLabel(label).displayName(), probabilities,
                format == WireFormat.JSON ? images[row] : null, scoredAt, latencyMs,
                request.explain(), request.trueLabel());
        byte[] value = format == WireFormat.PROTOBUF
                ? ProtobufMessages.writePrediction(prediction, v.value().pixels())
                : MessageCodec.write(prediction, format);
        batch.send(predictionsTopic, request.id(), value, MessageCodec.headers(prediction, format), v.trace());
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

    private static int[] rowsFor(List<KafkaBatchEdge.Parsed<Valid>> valid, String model) {
        int[] rows = new int[valid.size()];
        int n = 0;
        for (int i = 0; i < valid.size(); i++) {
            if (valid.get(i).value().models().contains(model)) {
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
}
