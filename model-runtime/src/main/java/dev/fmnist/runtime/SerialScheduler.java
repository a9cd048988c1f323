package dev.fmnist.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One daemon thread of its own that runs tasks one at a time: announced work ({@link #submit}) and a
 * periodic check ({@link #repeat}). Once {@link #stop stopped} nothing runs or fails any more: work
 * submitted then completes at once, and the periodic check ends.
 */
public final class SerialScheduler {
    private final ScheduledExecutorService executor;
    private volatile boolean stopped;
    /** The periodic check and its next run; touched on the thread only. */
    private Supplier<Duration> check;
    private ScheduledFuture<?> next;

    /** @param threadName the name of the thread (e.g. {@code model-loader}) */
    public SerialScheduler(String threadName) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code task} on the thread; the future completes when it has run (whether it returned or
     * threw; a task logs its own failures), or at once when shutting down. Never fails.
     */
    public CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            done.complete(null); // shutting down
        }
        return done;
    }

    /**
     * Runs {@code check} on the thread now, and again after the delay it returns each time, until
     * stopped. {@code check} handles its own failures.
     */
    public void repeat(Supplier<Duration> check) {
        executor.execute(() -> {
            this.check = check;
            tick();
        });
    }

    /**
     * Brings the next periodic check forward to {@code delay} from now when it is due later (e.g. a registry read
     * failed between two checks, and the check should look again soon rather than after a long poll interval).
     */
    public void checkWithin(Duration delay) {
        try {
            executor.execute(() -> {
                if (stopped || check == null || next == null
                        || next.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis() || !next.cancel(false)) {
                    return;
                }
                schedule(delay.toMillis());
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void tick() {
        if (stopped) {
            return;
        }
        schedule(check.get().toMillis());
    }

    private void schedule(long delayMillis) {
        if (!stopped) {
            try {
                next = executor.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /** Stops the thread: what runs is interrupted, nothing more runs. */
    public void stop() {
        stopped = true;
        executor.shutdownNow();
    }
}
