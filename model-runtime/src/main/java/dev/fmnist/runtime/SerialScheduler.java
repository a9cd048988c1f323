package dev.fmnist.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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
        executor.execute(() -> tick(check));
    }

    private void tick(Supplier<Duration> check) {
        if (stopped) {
            return;
        }
        long delay = check.get().toMillis();
        if (!stopped) {
            try {
                executor.schedule(() -> tick(check), delay, TimeUnit.MILLISECONDS);
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
