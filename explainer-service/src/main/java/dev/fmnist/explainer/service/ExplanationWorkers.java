package dev.fmnist.explainer.service;

import dev.fmnist.common.kafka.BatchProducer;
import dev.fmnist.common.kafka.RecordTracing;
import dev.fmnist.common.messaging.BatchCompletion;
import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.domain.ExplanationStatus;
import dev.fmnist.explainer.domain.StoredExplanation;
import dev.fmnist.explainer.domain.WorkItem;
import dev.fmnist.explainer.messaging.EventProducer;
import dev.fmnist.explainer.repository.WorkQueueRepository;
import dev.fmnist.runtime.ModelLoadException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * The explanation workers: {@code explainer.parallelism} threads {@code explainer-N} that take items from
 * the durable work queue {@code xai.explanation_work} ({@link WorkQueueRepository}), whatever instance
 * queued them, and a {@code explainer-queue} thread for leases, backlog metrics and the purge of done items.
 *
 * <p>One item: claimed under a lease ({@code FOR UPDATE SKIP LOCKED}); a sampled one older than {@code
 * explainer.max-lag} is shed; otherwise explained ({@link ExplanationService}) while the heartbeat extends
 * the lease; the explanation is stored and the item moved on in one transaction; a succeeded one is
 * announced with {@code ExplanationStored} on {@code fmnist.explanations} (key: request id, the prediction
 * consumer span's {@code traceparent}, see below), and once the broker acknowledged it the item is done. After a crash
 * (kill -9) an item is taken again when its lease runs out: an explanation stored already is not made
 * again, one stored but not announced is announced (at-least-once; consumers deduplicate by explanation
 * id). A passing problem (database, registry or broker unreachable past the retries) gives the item back
 * for {@code explainer.queue.retry-delay}.
 *
 * <p>Tracing (docs/architecture.md, "Tracing"): an item is a span {@code explain <method>} whose parent is the
 * item's stored {@code traceparent} (the consumer span that queued it, in the request's trace); under it {@code
 * store explanation} (the transaction) and {@code fmnist.explanations publish} (kind PRODUCER), whose context the
 * {@code ExplanationStored} record carries.
 *
 * <p>Metrics: {@code explainer.queue.size} and {@code explainer.queue.oldest.seconds} (the backlog of all
 * instances), {@code explainer.queue.wait{model,method}} (queued until taken), {@code
 * explainer.queue.retaken} (items taken again after a lease ran out), {@code explainer.explanations.running},
 * {@code explainer.explanations{model,method,status}}, {@code explainer.explanation.time{model,method}},
 * {@code explainer.shed{model,method}}.
 */
@ApplicationScoped
public class ExplanationWorkers {
    private static final Logger LOG = Logger.getLogger(ExplanationWorkers.class);

    private final ExplainerConfig.Queue settings;
    private final int parallelism;
    private final ExplanationPolicy policy;
    private final ExplanationService explainer;
    private final WorkQueueRepository queue;
    private final DatabaseRetry retry;
    private final MeterRegistry meters;
    private final BatchProducer producer;
    private final RecordTracing tracing;
    /** Safety net only: the producer always answers within its delivery.timeout.ms. */
    private static final Duration ANNOUNCE_TIMEOUT = Duration.ofMinutes(10);
    /** This instance's name on the items it claims. */
    private final String name;
    private final Set<Long> working = ConcurrentHashMap.newKeySet();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicReference<WorkItem.Backlog> backlog = new AtomicReference<>(WorkItem.Backlog.EMPTY);
    private final Counter retaken;
    private final Object signal = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean paused;
    private volatile boolean stopped;
    private ScheduledExecutorService maintenance;

    public ExplanationWorkers(ExplainerConfig config, ExplanationPolicy policy, ExplanationService explainer,
                              WorkQueueRepository queue, DatabaseRetry retry, MeterRegistry meters, EventProducer events,
                              OpenTelemetry openTelemetry) {
        if (config.parallelism() < 1) {
            throw new IllegalArgumentException("explainer.parallelism must be at least 1, got " + config.parallelism());
        }
        ExplainerConfig.Queue q = config.queue();
        if (q.lease().toMillis() < 1000 || q.pollInterval().toMillis() < 1 || q.retryDelay().isNegative()
                || q.metricsInterval().toMillis() < 1 || q.retention().isNegative()) {
            throw new IllegalArgumentException("explainer.queue: lease must be at least 1s, poll-interval and "
                    + "metrics-interval positive, retry-delay and retention zero or more");
        }
        this.settings = q;
        this.parallelism = config.parallelism();
        this.policy = policy;
        this.explainer = explainer;
        this.queue = queue;
        this.retry = retry;
        this.meters = meters;
        this.producer = events.producer();
        this.tracing = new RecordTracing(openTelemetry);
        this.name = hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.retaken = Counter.builder("explainer.queue.retaken")
                .description("Work items taken again after their lease ran out (a worker crashed or stalled)")
                .register(meters);
        Gauge.builder("explainer.queue.size", backlog, b -> b.get().queued())
                .description("Explanations queued in xai.explanation_work, all instances (running ones included)")
                .register(meters);
        Gauge.builder("explainer.queue.oldest.seconds", backlog, b -> b.get().oldestSeconds())
                .description("Age of the oldest queued explanation, seconds").register(meters);
        Gauge.builder("explainer.explanations.running", running, AtomicInteger::get)
                .description("Explanations this instance is making now").register(meters);
    }

    void start(@Observes @Priority(1000) StartupEvent event) {
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "explainer-queue");
            t.setDaemon(true);
            return t;
        });
        long beat = Math.max(1, settings.lease().toMillis() / 3);
        maintenance.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::readBacklog, 0, settings.metricsInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.MINUTES);
        for (int i = 1; i <= parallelism; i++) {
            Thread t = new Thread(this::work, "explainer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        LOG.infof("Explaining from the work queue on %d worker(s) as %s; methods %s; output spaces %s; KernelSHAP budget "
                + "factors %s; sample rate %s; max lag %s; lease %s", parallelism, name, policy.methods(), policy.outputSpaces(),
                policy.shapBudgetFactors(), policy.sampleRate(), policy.maxLag(), settings.lease());
    }

    /** Stops the workers before the producer closes; items they hold are given back at once. */
    void stop(@Observes @Priority(10) ShutdownEvent event) {
        stopped = true;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
    }

    /** New items are queued: idle workers look at once. */
    public void wakeUp() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Workers take no new item until {@link #resume()} (the one they are making is finished). For tests and operators. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        wakeUp();
    }

    /** The backlog as last read (every {@code explainer.queue.metrics-interval}). */
    public WorkItem.Backlog backlog() {
        return backlog.get();
    }

    /** Reads the backlog now (and updates the gauges). */
    public WorkItem.Backlog readBacklogNow() throws SQLException {
        WorkItem.Backlog b = queue.backlog();
        backlog.set(b);
        return b;
    }

    private void work() {
        while (!stopped) {
            try {
                if (paused) {
                    idle();
                    continue;
                }
                Optional<WorkItem.Claimed> item = retry.call("claiming explanation work",
                        () -> queue.claim(name, settings.lease()));
                if (item.isEmpty()) {
                    idle();
                    continue;
                }
                WorkItem.Claimed claimed = item.get();
                working.add(claimed.id());
                running.incrementAndGet();
                Span span = tracing.startInternal(EXPLAIN_SPAN_PREFIX + claimed.key().method(),
                        tracing.parse(claimed.traceparent()), null);
                span.setAttribute(REQUEST_ID, claimed.key().requestId());
                span.setAttribute(MODEL, claimed.key().model().name());
                span.setAttribute(MODEL_VERSION, (long) claimed.key().model().version());
                span.setAttribute(ATTEMPT, (long) claimed.attempts());
                try {
                    handle(claimed, Context.root().with(span));
                } catch (InterruptedException e) {
                    RecordTracing.failed(span, e);
                    Thread.interrupted(); // clear it for the last statement
                    giveBack(claimed, Duration.ZERO); // stopping: another worker may take it at once
                    return;
                } catch (Exception e) {
                    RecordTracing.failed(span, e);
                    LOG.warnf("Explanation %s (item %d) hit a passing problem, tried again in %s: %s", claimed.key(),
                            claimed.id(), settings.retryDelay(), e.toString());
                    giveBack(claimed, settings.retryDelay());
                } finally {
                    span.end();
                    running.decrementAndGet();
                    working.remove(claimed.id());
                }
            } catch (InterruptedException e) {
                return; // stop
            } catch (Exception e) {
                LOG.warnf("Claiming explanation work failed, trying again in %s: %s", settings.retryDelay(), e.toString());
                sleep(settings.retryDelay());
            }
        }
    }

    /** Spans of the worker: {@code explain <method>}, and under it these. */
    public static final String EXPLAIN_SPAN_PREFIX = "explain ";
    public static final String STORE_SPAN = "store explanation";
    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("fmnist.request.id");
    private static final AttributeKey<String> MODEL = AttributeKey.stringKey("fmnist.model.name");
    private static final AttributeKey<Long> MODEL_VERSION = AttributeKey.longKey("fmnist.model.version");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("fmnist.queue.attempt");

    private void handle(WorkItem.Claimed item, Context trace) throws Exception {
        String model = item.key().model().name();
        String method = item.key().method();
        if (item.attempts() > 1) {
            retaken.increment();
            LOG.infof("Taking %s (item %d, %s) again: attempt %d", item.key(), item.id(), item.state().column(),
                    item.attempts());
        }
        if (item.state() == WorkItem.State.ANNOUNCING) {
            announce(item, item.stored(), trace); // stored, the announcement was not acknowledged: announce again
            return;
        }
        Instant now = Instant.now();
        if (item.attempts() == 1) {
            Timer.builder("explainer.queue.wait").description("Time an explanation waited in the work queue")
                    .tags("model", model, "method", method).publishPercentileHistogram().register(meters)
                    .record(Duration.between(item.queuedAt(), now).isNegative() ? Duration.ZERO
                            : Duration.between(item.queuedAt(), now));
        }
        if (item.stored() == null && policy.shed(ExplanationPolicy.Reason.valueOf(item.reason().toUpperCase(
                java.util.Locale.ROOT)), item.scoredAt(), now)) {
            if (retry.call("shedding " + item.key(), () -> queue.shed(item))) {
                meters.counter("explainer.shed", "model", model, "method", method).increment();
                LOG.debugf("Shed %s: scored %s ago", item.key(), ExplanationPolicy.lag(item.scoredAt(), now));
            }
            return;
        }
        ExplanationService.Result result = null;
        if (item.stored() == null) {
            result = explainer.explain(item.key(), item.pixels(), item.label());
        }
        ExplanationService.Result r = result;
        Span store = tracing.startInternal(STORE_SPAN, trace, null);
        WorkQueueRepository.Finished finished;
        try {
            finished = retry.call("storing explanation " + item.key(),
                    () -> queue.finish(item, r == null ? null : r.attribution(), r == null ? null : r.error(),
                            settings.lease()));
        } catch (Exception e) {
            RecordTracing.failed(store, e);
            throw e;
        } finally {
            store.end();
        }
        if (r != null) {
            ExplanationStatus status = finished.stored().status();
            meters.counter("explainer.explanations", "model", model, "method", method, "status", status.column())
                    .increment();
            Timer.builder("explainer.explanation.time").description("Time of one explanation (model calls included)")
                    .tags("model", model, "method", method).publishPercentileHistogram().register(meters)
                    .record(r.nanos(), TimeUnit.NANOSECONDS);
            if (r.attribution() == null) {
                LOG.warnf("Explanation %s failed: %s", item.key(), r.error());
            } else {
                LOG.debugf("Explained %s in %d ms (%d model evaluations)", item.key(),
                        TimeUnit.NANOSECONDS.toMillis(r.nanos()), r.attribution().samples());
            }
        }
        if (!finished.owned()) {
            LOG.infof("Item %d (%s) was no longer this worker's when it finished (its lease ran out and another worker "
                    + "took it, or it was finished elsewhere): left as it is", item.id(), item.key());
            return;
        }
        if (finished.stored().status() == ExplanationStatus.SUCCEEDED) {
            announce(item, finished.stored(), trace);
        }
    }

    /**
     * Sends {@code ExplanationStored}, waits for the broker (while the broker is away, as long as the producer
     * keeps trying; the heartbeat holds the lease), then marks the item done.
     */
    private void announce(WorkItem.Claimed item, StoredExplanation stored, Context trace)
            throws InterruptedException, SQLException, ExecutionException, TimeoutException {
        Span publish = tracing.startProducer(Topics.EXPLANATIONS, item.key().requestId(), trace);
        try {
            announce(item, stored, tracing.headers(trace.with(publish)));
        } catch (InterruptedException | SQLException | ExecutionException | TimeoutException | RuntimeException e) {
            RecordTracing.failed(publish, e);
            throw e;
        } finally {
            publish.end();
        }
    }

    private void announce(WorkItem.Claimed item, StoredExplanation stored, List<? extends Header> headers)
            throws InterruptedException, SQLException, ExecutionException, TimeoutException {
        ExplanationStored event = new ExplanationStored(item.key().requestId(), item.key().model(), item.key().method(),
                stored.id());
        CompletableFuture<Void> acked = new CompletableFuture<>();
        BatchCompletion completion = new BatchCompletion(() -> acked.complete(null), acked::completeExceptionally);
        producer.send(Topics.EXPLANATIONS, event.requestId(), Json.write(event), headers, completion);
        completion.seal();
        // the producer's own verdict (acknowledged, or failed past its delivery timeout), the lease kept meanwhile
        acked.get(ANNOUNCE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        retry.call("marking " + item.key() + " announced", () -> {
            queue.announced(item.id());
            return null;
        });
    }

    private void giveBack(WorkItem.Claimed item, Duration delay) {
        try {
            queue.release(item, delay);
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Giving item %d back failed (its lease runs out instead): %s", item.id(), e.getMessage());
        }
    }

    private void idle() throws InterruptedException {
        synchronized (signal) {
            signal.wait(settings.pollInterval().toMillis());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void heartbeat() {
        try {
            List<Long> ids = List.copyOf(working);
            if (!ids.isEmpty()) {
                queue.extend(name, ids, settings.lease());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Extending the leases failed (tried again at the next beat): %s", e.getMessage());
        }
    }

    private void readBacklog() {
        try {
            readBacklogNow();
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Reading the backlog failed: %s", e.getMessage());
        }
    }

    private void purge() {
        try {
            int n = queue.purge(settings.retention());
            if (n > 0) {
                LOG.debugf("Purged %d done work items older than %s", n, settings.retention());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Purging done work items failed: %s", e.getMessage());
        }
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "explainer";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
