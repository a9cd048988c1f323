package dev.fmnist.inference.service;

import dev.fmnist.common.kafka.RecordTracing;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.scoring.BatchSplitter;
import dev.fmnist.runtime.scoring.LoadedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores batches of model input with the current version of a model: one native call per batch (an
 * HTTP or gRPC request's parts at once on idle cores, {@link BatchSplitter}),
 * a reference held on the version for the call (so a hot swap never closes it underneath), and
 * the metrics of every call.
 *
 * <p>Metrics: {@code inference.requests{source,model}} (images scored), {@code
 * inference.batch.size{source}} (images per model call), {@code inference.model.time{source,model}}
 * (native call time), {@code inference.errors{source,reason}} (requests refused or failed).
 *
 * <p>Tracing: every call is a span {@code score <model>} (attributes {@code fmnist.model.version}, {@code
 * fmnist.batch.size}); over HTTP the child of the request's server span, from Kafka the child of the first
 * record's consumer span with links to the others' (docs/architecture.md, "Tracing").
 */
@ApplicationScoped
public class ScoringService {
    /** Where requests come from, the {@code source} tag of the metrics. */
    public static final String KAFKA = "kafka";
    public static final String HTTP = "http";
    public static final String GRPC = "grpc";

    static final AttributeKey<Long> MODEL_VERSION = AttributeKey.longKey("fmnist.model.version");
    static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("fmnist.batch.size");
    static final AttributeKey<String> SOURCE = AttributeKey.stringKey("fmnist.source");

    private final ModelHolder holder;
    private final BatchSplitter splitter;
    private final MeterRegistry meters;
    private final RecordTracing tracing;
    private final Map<String, Meters> byKey = new ConcurrentHashMap<>();

    /** The result of one call: which version scored, {@code [n][10]} probabilities flat, the native time. */
    public record Scored(ModelRef model, float[] probabilities, long nanos) {
    }

    private record Meters(Counter requests, Timer time, DistributionSummary batch) {
    }

    public ScoringService(ModelHolder holder, BatchSplitter splitter, MeterRegistry meters, OpenTelemetry openTelemetry) {
        this.holder = holder;
        this.splitter = splitter;
        this.meters = meters;
        this.tracing = new RecordTracing(openTelemetry);
        FunctionCounter.builder("inference.split.calls", splitter, BatchSplitter::splitCalls)
                .description("Model calls cut into parts on idle cores (inference.split.*)").register(meters);
    }

    /**
     * Scores {@code n} images of model input ({@code pixel / 255}) with the current version of
     * {@code model}, or with exactly {@code version} when given.
     *
     * @throws ModelUnavailableException when the model or the version is not served now
     */
    public Scored score(String source, String model, Integer version, float[] input, int n) {
        return score(source, model, version, input, n, Context.current(), null);
    }

    /**
     * {@link #score(String, String, Integer, float[], int)}, its span the child of {@code parent}, linked to
     * {@code links} (the other requests of a Kafka batch).
     */
    public Scored score(String source, String model, Integer version, float[] input, int n, Context parent,
                        List<Context> links) {
        Span span = tracing.startInternal("score " + model, parent, links);
        try {
            span.setAttribute(SOURCE, source);
            span.setAttribute(BATCH_SIZE, (long) n);
            Scored scored = call(source, model, version, input, n);
            span.setAttribute(MODEL_VERSION, (long) scored.model().version());
            return scored;
        } catch (RuntimeException e) {
            RecordTracing.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    private Scored call(String source, String model, Integer version, float[] input, int n) {
        LoadedModel loaded = acquire(model, version);
        try {
            long t0 = System.nanoTime();
            // Kafka batches are already scored two at a time (the worker pool): splitting them too took cores from the
            // broker and the clients (lenet -15 % end to end); a lone HTTP or gRPC request is what leaves cores idle
            // (counted all the same, so that no request is split onto a core a Kafka batch holds)
            float[] probabilities = KAFKA.equals(source) ? splitter.scoreWhole(loaded.scorer(), input, n)
                    : splitter.score(loaded.scorer(), input, n);
            long nanos = System.nanoTime() - t0;
            Meters m = meters(source, model);
            m.requests().increment(n);
            m.time().record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            m.batch().record(n);
            return new Scored(loaded.ref(), probabilities, nanos);
        } finally {
            loaded.release();
        }
    }

    /** Counts a refused or failed request. */
    public void error(String source, String reason) {
        meters.counter("inference.errors", "source", source, "reason", reason).increment();
    }

    /** Current version of a model, checked against {@code version} when given; a reference is taken. */
    private LoadedModel acquire(String model, Integer version) {
        if (!holder.isConfigured(model)) {
            throw new ModelUnavailableException(ModelUnavailableException.Kind.NOT_CONFIGURED,
                    "model '" + model + "' is not served here (served: " + holder.configured() + ")");
        }
        Optional<LoadedModel> current = holder.acquire(model);
        if (current.isEmpty()) {
            throw new ModelUnavailableException(ModelUnavailableException.Kind.NOT_LOADED,
                    "model '" + model + "' has no loaded version yet");
        }
        LoadedModel loaded = current.get();
        if (version != null && loaded.version() != version) {
            int have = loaded.version();
            loaded.release();
            throw new ModelUnavailableException(ModelUnavailableException.Kind.VERSION_NOT_LOADED,
                    "version " + version + " of model '" + model + "' is not served (served: version " + have + ")");
        }
        return loaded;
    }

    private Meters meters(String source, String model) {
        return byKey.computeIfAbsent(source + "/" + model, k -> new Meters(
                Counter.builder("inference.requests").description("Images scored, by source and model")
                        .tags("source", source, "model", model).register(meters),
                Timer.builder("inference.model.time").description("Time of one model call (a batch)")
                        .tags("source", source, "model", model).publishPercentileHistogram().register(meters),
                DistributionSummary.builder("inference.batch.size").description("Images per model call")
                        .tags("source", source, "model", model).publishPercentileHistogram()
                        .serviceLevelObjectives(1, 8, 32, 64, 128, 256, 512, 1024).register(meters)));
    }
}
