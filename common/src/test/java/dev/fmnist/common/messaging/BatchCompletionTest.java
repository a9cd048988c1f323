package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A batch is acknowledged once, after its last send; a failed send fails it once. */
class BatchCompletionTest {
    final AtomicInteger done = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicInteger failures = new AtomicInteger();
    final BatchCompletion batch = new BatchCompletion(done::incrementAndGet, t -> {
        failure.set(t);
        failures.incrementAndGet();
    });

    @Test
    void completesAfterTheLastAcknowledgementOfASealedBatch() {
        batch.sending();
        batch.sending();
        batch.acknowledged();
        batch.seal();
        assertThat(done).hasValue(0);
        batch.acknowledged();
        assertThat(done).hasValue(1);
        assertThat(failures).hasValue(0);
    }

    @Test
    void anEmptyBatchCompletesWhenSealed() {
        batch.seal();
        assertThat(done).hasValue(1);
    }

    @Test
    void aFailedSendFailsTheBatchOnceAndItNeverCompletes() {
        batch.sending();
        batch.sending();
        RuntimeException boom = new RuntimeException("broker down");
        batch.failed(boom);
        batch.failed(new RuntimeException("again"));
        batch.acknowledged();
        batch.seal();
        assertThat(failure.get()).isSameAs(boom);
        assertThat(failures).hasValue(1);
        assertThat(done).hasValue(0);
    }
}
