package dev.fmnist.explainer.service;

import dev.fmnist.runtime.ModelLoadException;
import dev.fmnist.explainer.config.ExplainerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Runs the storage work of the consumer and of the explanation workers until PostgreSQL answers:
 * a passing failure (the server is down or unreachable, a connection broke, the pool timed out) is
 * retried on the calling thread with exponential backoff, {@code explainer.db-retry.initial-backoff}
 * doubling up to {@code explainer.db-retry.max-backoff}, for at most {@code explainer.db-retry.timeout}
 * (0: forever). Since the consumer's blocking thread waits here, no further batch is processed and the
 * Kafka connector pauses its partitions; nothing is committed, nothing is lost.
 *
 * <p>A failure that retrying cannot cure (SQL states of classes 22 data, 23 integrity and 42 syntax or
 * access) is thrown at once. One warning is logged when an outage starts and one line when it ends.
 * Metrics: {@code explainer.db.unavailable} (1 during an outage) and {@code explainer.db.retries}.
 */
@ApplicationScoped
public class DatabaseRetry {
    private static final Logger LOG = Logger.getLogger(DatabaseRetry.class);

    /** Work against the database. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    private final Duration initial;
    private final Duration max;
    private final Duration timeout;
    private final Counter retries;
    /** Start of the current outage in {@link System#nanoTime()}, or 0 when the database answers; written under {@code this}. */
    private volatile long outageSince;
    private final AtomicLong outageRetries = new AtomicLong();

    @Inject
    public DatabaseRetry(ExplainerConfig config, MeterRegistry meters) {
        this(config.dbRetry().initialBackoff(), config.dbRetry().maxBackoff(), config.dbRetry().timeout(), meters);
    }

    DatabaseRetry(Duration initial, Duration max, Duration timeout, MeterRegistry meters) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || timeout.isNegative()) {
            throw new IllegalArgumentException("explainer.db-retry: initial-backoff must be positive, max-backoff at "
                    + "least initial-backoff and timeout 0 or positive; got " + initial + ", " + max + ", " + timeout);
        }
        this.initial = initial;
        this.max = max;
        this.timeout = timeout;
        this.retries = Counter.builder("explainer.db.retries").description("Storage attempts retried after a "
                + "passing database failure").register(meters);
        Gauge.builder("explainer.db.unavailable", this, r -> r.unavailable() ? 1 : 0)
                .description("1 while storage writes fail and are retried").register(meters);
    }

    /** Whether an outage is going on (a retried write has not succeeded yet). */
    public boolean unavailable() {
        return outageSince != 0;
    }

    /**
     * The result of {@code work}, retried while it fails in a passing way.
     *
     * @throws SQLException a permanent failure, or the last one when {@code explainer.db-retry.timeout} ran out
     * @throws ModelLoadException a permanent one, or a passing one past the timeout
     * @throws InterruptedException the thread was interrupted while waiting (shutdown)
     */
    public <T> T call(String what, Work<T> work) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        long wait = initial.toMillis();
        while (true) {
            try {
                T result = work.run();
                recovered();
                return result;
            } catch (SQLException | ModelLoadException e) {
                if (!passing(e) || (!timeout.isZero() && System.nanoTime() - start >= timeout.toNanos())) {
                    throw e;
                }
                failed(what, e);
            }
            retries.increment();
            Thread.sleep(wait);
            wait = Math.min(wait * 2, max.toMillis());
        }
    }

    /** Whether retrying may cure {@code e}. */
    static boolean passing(Exception e) {
        if (e instanceof ModelLoadException m) {
            return !m.permanent();
        }
        String state = ((SQLException) e).getSQLState();
        if (state == null || state.length() < 2) {
            return true; // the pool's own failures (acquisition timeout, no connection) carry none
        }
        return switch (state.substring(0, 2)) {
            case "22", "23", "42" -> false;
            default -> true;
        };
    }

    private synchronized void failed(String what, Exception e) {
        outageRetries.incrementAndGet();
        if (outageSince == 0) {
            outageSince = System.nanoTime();
            LOG.warnf("The database cannot be reached (%s: %s): storage is paused and retried with backoff up to %s "
                    + "(%s per write at most)", what, e.getMessage(), max, timeout.isZero() ? "forever" : timeout);
        }
    }

    private void recovered() {
        if (!unavailable()) {
            return; // the common case: no lock taken while the database answers
        }
        synchronized (this) {
            if (outageSince != 0) {
                LOG.infof("The database answers again after %d ms (%d attempts retried): storage resumes",
                        (System.nanoTime() - outageSince) / 1_000_000, outageRetries.getAndSet(0));
                outageSince = 0;
            }
        }
    }
}
