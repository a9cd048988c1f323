package dev.fmnist.inference.service;

import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.scoring.LoadedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores batches of model input with the current version of a model: one native call per batch,
 * a reference held on the version for the call (so a hot swap never closes it underneath), and
 * the metrics of every call.
 *
 * <p>Metrics: {@code inference.requests{source,model}} (images scored), {@code
 * inference.batch.size{source}} (images per model call), {@code inference.model.time{source,model}}
 * (native call time), {@code inference.errors{source,reason}} (requests refused or failed).
 */
@ApplicationScoped
public class ScoringService {
    /** Where requests come from, the {@code source} tag of the metrics. */
    public static final String KAFKA = "kafka";
    public static final String HTTP = "http";

    private final ModelHolder holder;
    private final MeterRegistry meters;
    private final Map<String, Meters> byKey = new ConcurrentHashMap<>();

    /** The result of one call: which version scored, {@code [n][10]} probabilities flat, the native time. */
    public record Scored(ModelRef model, float[] probabilities, long nanos) {
    }

    private record Meters(Counter requests, Timer time, DistributionSummary batch) {
    }

    public ScoringService(ModelHolder holder, MeterRegistry meters) {
        this.holder = holder;
        this.meters = meters;
    }

    /**
     * Scores {@code n} images of model input ({@code pixel / 255}) with the current version of
     * {@code model}, or with exactly {@code version} when given.
     *
     * @throws ModelUnavailableException when the model or the version is not served now
     */
    public Scored score(String source, String model, Integer version, float[] input, int n) {
        LoadedModel loaded = acquire(model, version);
        try {
            long t0 = System.nanoTime();
            float[] probabilities = loaded.scorer().score(input, n);
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
