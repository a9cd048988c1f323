package dev.fmnist.common.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the pending work of one Kafka batch (sends of results and dead letters, and any other step
 * a service registers, such as an explanation still running) and runs {@code onDone} once all of it
 * is acknowledged, or {@code onFailure} at the first failure. {@link #seal()} marks that every piece
 * of work was registered. Shared by inference-service and explainer-service.
 */
public final class BatchCompletion {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** One for the batch itself until sealed, plus one per send not yet acknowledged. */
    private final AtomicInteger pending = new AtomicInteger(1);
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Runnable onDone;
    private final java.util.function.Consumer<Throwable> onFailure;

    public BatchCompletion(Runnable onDone, java.util.function.Consumer<Throwable> onFailure) {
        this.onDone = onDone;
        this.onFailure = onFailure;
    }

    /** Registers a send (or another piece of work) before it is handed over. */
    public void sending() {
        pending.incrementAndGet();
    }

    /** Acknowledgement of one send (the broker has it). */
    public CompletionStage<Void> acknowledged() {
        if (pending.decrementAndGet() == 0 && finished.compareAndSet(false, true)) {
            onDone.run();
        }
        return DONE;
    }

    /** A send failed: the whole batch fails (no offset is committed, so it is consumed again). */
    public CompletionStage<Void> failed(Throwable cause) {
        if (finished.compareAndSet(false, true)) {
            onFailure.accept(cause);
        }
        return DONE;
    }

    /** Every send is registered: the batch completes when they are acknowledged. */
    public void seal() {
        acknowledged();
    }
}
