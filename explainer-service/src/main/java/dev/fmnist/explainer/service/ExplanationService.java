package dev.fmnist.explainer.service;

import dev.fmnist.runtime.ModelLoadException;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.runtime.scoring.LoadedModel;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.ExplanationStatus;
import dev.fmnist.explainer.domain.StoredExplanation;
import dev.fmnist.explainer.repository.XaiWriteRepository;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.AttributionMethod;
import dev.fmnist.xai.DeadlineExceededException;
import dev.fmnist.xai.StableHash;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs explanations on a worker pool of {@code explainer.parallelism} threads (never on the event
 * loop or the Kafka consumer's thread) and stores each one, succeeded or failed, in {@code
 * xai.explanation}. The model is exactly the version the prediction names ({@link ScorerCache});
 * the seed is a stable hash of the request id and the method.
 *
 * <p>Just before an explanation starts, a sampled one whose prediction is older than {@code
 * explainer.max-lag} is shed ({@link ExplanationPolicy}). A permanent problem (the method throws or
 * returns nonsense, the version is not in the registry or is corrupt) is stored as a failed
 * explanation with the error; a passing one (the database or the registry cannot be reached) is
 * retried with backoff ({@link DatabaseRetry}) and fails the task, and with it the Kafka batch, only
 * past {@code explainer.db-retry.timeout}.
 *
 * <p>Metrics: {@code explainer.explanations{model,method,status}}, {@code
 * explainer.shed{model,method}}, {@code explainer.explanation.time{model,method}}, {@code
 * explainer.queue.size} (waiting for a worker) and {@code explainer.explanations.running}.
 */
@Startup // a configured method without an implementation fails start-up, not the first batch
@ApplicationScoped
public class ExplanationService {
    private static final Logger LOG = Logger.getLogger(ExplanationService.class);
    /** Longest error text stored. */
    static final int MAX_ERROR_LENGTH = 2000;

    /** One explanation to make: a method for one prediction, and why. */
    public record Task(Prediction prediction, String method, ExplanationPolicy.Reason reason) {
        public ExplanationKey key() {
            return new ExplanationKey(prediction.requestId(), prediction.model(), method);
        }
    }

    /** What became of a task: {@code stored} is null when it was shed. */
    public record Outcome(Task task, StoredExplanation stored) {
        public boolean shed() {
            return stored == null;
        }
    }

    private final ExplanationPolicy policy;
    private final AttributionMethods methods;
    private final ScorerCache models;
    private final XaiWriteRepository repository;
    private final DatabaseRetry retry;
    private final MeterRegistry meters;
    private final ThreadPoolExecutor pool;
    private final Clock clock;

    public ExplanationService(ExplainerConfig config, ExplanationPolicy policy, AttributionMethods methods,
                              ScorerCache models, XaiWriteRepository repository, DatabaseRetry retry,
                              MeterRegistry meters) {
        if (config.parallelism() < 1) {
            throw new IllegalArgumentException("explainer.parallelism must be at least 1, got " + config.parallelism());
        }
        this.policy = policy;
        this.methods = methods;
        this.models = models;
        this.repository = repository;
        this.retry = retry;
        this.meters = meters;
        this.clock = Clock.systemUTC();
        methods.requireAll(policy);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(config.parallelism(), config.parallelism(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "explainer-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        Gauge.builder("explainer.queue.size", pool, p -> p.getQueue().size())
                .description("Explanations waiting for a worker").register(meters);
        Gauge.builder("explainer.explanations.running", pool, ThreadPoolExecutor::getActiveCount)
                .description("Explanations running now").register(meters);
        LOG.infof("Explaining on %d worker(s); methods %s; sample rate %s; max lag %s", config.parallelism(),
                policy.methods(), policy.sampleRate(), policy.maxLag());
    }

    /** Queues a task; the future fails only on a passing problem (see the class comment). */
    public CompletableFuture<Outcome> submit(Task task) {
        return CompletableFuture.supplyAsync(() -> run(task), pool);
    }

    /** Tasks waiting for a worker. */
    public int queued() {
        return pool.getQueue().size();
    }

    Outcome run(Task task) {
        Prediction p = task.prediction();
        String model = p.model().name();
        if (policy.shed(task.reason(), p.scoredAt(), Instant.now(clock))) {
            meters.counter("explainer.shed", "model", model, "method", task.method()).increment();
            LOG.debugf("Shed %s: scored %s ago", task.key(), ExplanationPolicy.lag(p.scoredAt(), Instant.now(clock)));
            return new Outcome(task, null);
        }
        Attribution attribution = null;
        String error = null;
        long t0 = System.nanoTime();
        LoadedModel loaded = null;
        try {
            AttributionMethod method = methods.get(task.method()).orElseThrow(() -> new IllegalStateException(
                    "no implementation of method '" + task.method() + "' is installed"));
            loaded = retry.call("loading " + p.model(), () -> models.acquire(p.model()));
            if (!method.supports(loaded.scorer())) {
                error = task.method() + " cannot explain " + p.model() + " (" + loaded.scorer().format() + ")";
            } else {
                float[] image = Pixels.toModelInput(p.pixels());
                Attribution a = method.explain(loaded.scorer(), image, p.label(), StableHash.seed(p.requestId(),
                        task.method()));
                String problem = problem(a, task.method(), p.label());
                if (problem == null) {
                    attribution = a;
                } else {
                    error = task.method() + " returned an invalid attribution: " + problem;
                }
            }
        } catch (ModelLoadException e) {
            if (!e.permanent()) {
                throw e; // the registry could not be read within explainer.db-retry.timeout: the batch fails
            }
            error = e.getMessage();
        } catch (SQLException e) {
            throw new CompletionException(e); // not thrown by acquire, only declared by the retry
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (DeadlineExceededException e) {
            error = e.getMessage(); // logged below, without a stack trace
        } catch (RuntimeException e) {
            LOG.warnf(e, "Explaining %s failed", task.key());
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            if (loaded != null) {
                loaded.release();
            }
        }
        long nanos = System.nanoTime() - t0;
        if (error != null && error.length() > MAX_ERROR_LENGTH) {
            error = error.substring(0, MAX_ERROR_LENGTH);
        }
        StoredExplanation stored;
        try {
            Attribution a = attribution;
            String e = error;
            stored = retry.call("storing explanation " + task.key(),
                    () -> repository.storeExplanation(task.key(), task.reason().column(), p.label(), a, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (SQLException e) {
            throw new CompletionException(new IllegalStateException(
                    "cannot store explanation " + task.key() + ": " + e.getMessage(), e));
        }
        ExplanationStatus status = attribution == null ? ExplanationStatus.FAILED : ExplanationStatus.SUCCEEDED;
        meters.counter("explainer.explanations", "model", model, "method", task.method(), "status", status.column())
                .increment();
        Timer.builder("explainer.explanation.time").description("Time of one explanation (model calls included)")
                .tags("model", model, "method", task.method()).publishPercentileHistogram().register(meters)
                .record(nanos, TimeUnit.NANOSECONDS);
        if (status == ExplanationStatus.FAILED) {
            LOG.warnf("Explanation %s failed: %s", task.key(), error);
        } else {
            LOG.debugf("Explained %s in %d ms (%d model evaluations)", task.key(),
                    TimeUnit.NANOSECONDS.toMillis(nanos), attribution.samples());
        }
        return new Outcome(task, stored);
    }

    /** What is wrong with an attribution, or null when it keeps the contract. */
    static String problem(Attribution a, String method, int targetClass) {
        if (a == null) {
            return "none was returned";
        }
        if (!method.equals(a.method())) {
            return "method is '" + a.method() + "', expected '" + method + "'";
        }
        if (a.targetClass() != targetClass) {
            return "target class is " + a.targetClass() + ", expected " + targetClass;
        }
        if (a.attributions() == null || a.attributions().length != Pixels.COUNT) {
            return "attributions must hold " + Pixels.COUNT + " values";
        }
        if (a.segments() == null || a.segments().length != Pixels.COUNT) {
            return "segments must hold " + Pixels.COUNT + " values";
        }
        if (a.segmentWeights() == null || a.segmentWeights().length == 0) {
            return "segment weights are missing";
        }
        for (short s : a.segments()) {
            if (s < 0 || s >= a.segmentWeights().length) {
                return "segment id " + s + " is outside 0.." + (a.segmentWeights().length - 1);
            }
        }
        if (!finite(a.attributions()) || !finite(a.segmentWeights())
                || (a.deletionCurve() != null && !finite(a.deletionCurve()))) {
            return "it holds a value that is not finite";
        }
        return null;
    }

    private static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }
}
