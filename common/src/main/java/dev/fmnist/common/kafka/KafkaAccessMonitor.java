package dev.fmnist.common.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * A service's Kafka access ({@link KafkaAccess#check}) looked at on a thread of its own, at start and every
 * {@code interval} (every 5 s while there are problems), for a readiness check to read without blocking: the problems of the last look, each logged
 * once (ERROR) when it appears and a line (INFO) when they are gone. Its admin client has the service's own
 * {@code kafka.*} settings, so it authenticates as the service does.
 */
public final class KafkaAccessMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaAccessMonitor.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** How soon to look again while there are problems: a fixed ACL or a broker back should show within seconds. */
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final String service;
    private final List<KafkaAccess.Need> needs;
    private final Admin admin;
    private final Duration interval;
    private final ScheduledExecutorService thread;
    private volatile Map<String, String> problems = Map.of("kafka", "not checked yet");
    private volatile boolean checked;

    public KafkaAccessMonitor(String service, Map<String, ?> kafka, List<KafkaAccess.Need> needs, Duration interval) {
        this.service = service;
        this.needs = List.copyOf(needs);
        this.interval = interval;
        this.admin = Admin.create(KafkaClientSettings.of(kafka).admin(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, service + "-access-check",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis())));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-access-check");
            t.setDaemon(true);
            return t;
        });
        thread.execute(this::look);
    }

    /** The problems of the last look (topic or {@code kafka} to a sentence); empty when the service may do all it needs. */
    public Map<String, String> problems() {
        return problems;
    }

    /** Whether a look has finished (before that, {@link #problems} says so). */
    public boolean checked() {
        return checked;
    }

    /** What the service needs, as text. */
    public String needs() {
        return KafkaAccess.describe(needs);
    }

    private void look() {
        Map<String, String> now;
        try {
            now = KafkaAccess.check(admin, needs, TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            now = Map.of("kafka", KafkaAccess.explain(e));
        }
        Map<String, String> before = problems;
        now.forEach((what, problem) -> {
            if (!problem.equals(before.get(what))) {
                LOG.errorf("Kafka access of %s: %s", service, problem);
            }
        });
        if (now.isEmpty() && (!before.isEmpty() && checked)) {
            LOG.infof("Kafka access of %s: every topic it needs is allowed (%s)", service, needs());
        }
        problems = Map.copyOf(now);
        checked = true;
        try {
            thread.schedule(this::look, (now.isEmpty() ? interval : RETRY).toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the service is stopping
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
