package dev.fmnist.inference.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the sends of one Kafka batch (predictions and dead letters) and runs {@code onDone} once
 * the broker acknowledged all of them, or {@code onFailure} at the first failed send. {@link #seal()}
 * marks that every send was registered.
 */
final class BatchCompletion {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** One for the batch itself until sealed, plus one per send not yet acknowledged. */
    private final AtomicInteger pending = new AtomicInteger(1);
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Runnable onDone;
    private final java.util.function.Consumer<Throwable> onFailure;

    BatchCompletion(Runnable onDone, java.util.function.Consumer<Throwable> onFailure) {
        this.onDone = onDone;
        this.onFailure = onFailure;
    }

    /** Registers a send before it is handed over. */
    void sending() {
        pending.incrementAndGet();
    }

    /** Acknowledgement of one send (the broker has it). */
    CompletionStage<Void> acknowledged() {
        if (pending.decrementAndGet() == 0 && finished.compareAndSet(false, true)) {
            onDone.run();
        }
        return DONE;
    }

    /** A send failed: the whole batch fails (no offset is committed, so it is consumed again). */
    CompletionStage<Void> failed(Throwable cause) {
        if (finished.compareAndSet(false, true)) {
            onFailure.accept(cause);
        }
        return DONE;
    }

    /** Every send is registered: the batch completes when they are acknowledged. */
    void seal() {
        acknowledged();
    }
}
