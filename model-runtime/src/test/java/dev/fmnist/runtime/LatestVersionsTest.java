package dev.fmnist.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.runtime.scoring.AbstractModelScorer;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.LoadedModel;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hot-swap invariant: a call never sees a closed model, every replaced model is closed once. */
class LatestVersionsTest {

    /** A scorer that fails when used after close, and counts closes. */
    static final class FakeScorer extends AbstractModelScorer {
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicInteger closes = new AtomicInteger();

        FakeScorer(String name, int version) {
            super(name, version, "onnx", 1);
        }

        @Override
        public ExecutionProvider.Chosen provider() {
            return ExecutionProvider.Chosen.CPU;
        }

        @Override
        public float[] score(float[] input, int n) {
            if (closed.get()) {
                throw new IllegalStateException(name + "/" + version + " used after close");
            }
            float[] out = new float[n * 10];
            java.util.Arrays.fill(out, version);
            return out;
        }

        @Override
        public void close() {
            closed.set(true);
            closes.incrementAndGet();
        }
    }

    static LatestVersions holder(String... models) {
        return new LatestVersions(List.of(models), "inference.models");
    }

    static LoadedModel loaded(FakeScorer scorer) {
        return new LoadedModel(scorer, "0".repeat(64), Instant.now());
    }

    @Test
    void replacedVersionClosesOnlyAfterItsLastCall() {
        LatestVersions holder = holder("lenet");
        FakeScorer v1 = new FakeScorer("lenet", 1);
        FakeScorer v2 = new FakeScorer("lenet", 2);
        assertThat(holder.acquire("lenet")).isEmpty();
        assertThat(holder.install(loaded(v1))).isTrue();

        LoadedModel inFlight = holder.acquire("lenet").orElseThrow();
        assertThat(holder.install(loaded(v2))).isTrue();
        assertThat(v1.closed).as("still in use").isFalse();
        assertThat(inFlight.scorer().score(new float[784], 1)[0]).isEqualTo(1f);
        assertThat(holder.acquire("lenet").orElseThrow().version()).isEqualTo(2);
        inFlight.release();
        assertThat(v1.closes).hasValue(1);
        assertThat(v2.closed).isFalse();
    }

    @Test
    void olderOrSameVersionIsNotInstalledAndIsClosed() {
        LatestVersions holder = holder("lenet");
        holder.install(loaded(new FakeScorer("lenet", 3)));
        FakeScorer older = new FakeScorer("lenet", 2);
        FakeScorer same = new FakeScorer("lenet", 3);
        assertThat(holder.install(loaded(older))).isFalse();
        assertThat(holder.install(loaded(same))).isFalse();
        assertThat(older.closes).hasValue(1);
        assertThat(same.closes).hasValue(1);
        assertThat(holder.version("lenet")).contains(3);
    }

    @Test
    void unconfiguredModelsAreRefused() {
        LatestVersions holder = holder("lenet", "xgboost");
        assertThat(holder.configured()).containsExactly("lenet", "xgboost");
        assertThat(holder.acquire("cnn")).isEmpty();
        FakeScorer cnn = new FakeScorer("cnn", 1);
        assertThatThrownBy(() -> holder.install(loaded(cnn))).hasMessageContaining("not configured");
        assertThat(cnn.closes).hasValue(1);
        assertThatThrownBy(() -> holder("resnet")).hasMessageContaining("resnet");
    }

    @Test
    void manySwapsUnderConcurrentCallsNeverExposeAClosedModel() throws Exception {
        LatestVersions holder = holder("lenet");
        List<FakeScorer> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        FakeScorer first = new FakeScorer("lenet", 1);
        all.add(first);
        holder.install(loaded(first));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> callers = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                callers.add(pool.submit(() -> {
                    while (running.get()) {
                        LoadedModel m = holder.acquire("lenet").orElseThrow();
                        try {
                            m.scorer().score(new float[784], 1); // throws if closed
                            calls.incrementAndGet();
                        } finally {
                            m.release();
                        }
                    }
                    return null;
                }));
            }
            for (int v = 2; v <= 300; v++) {
                FakeScorer next = new FakeScorer("lenet", v);
                all.add(next);
                holder.install(loaded(next));
            }
            running.set(false);
            for (Future<?> f : callers) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(calls.get()).isPositive();
        for (FakeScorer s : all.subList(0, all.size() - 1)) {
            assertThat(s.closes).as("version " + s.version()).hasValue(1);
        }
        assertThat(all.get(all.size() - 1).closed).isFalse();
        holder.closeAll();
        assertThat(all.get(all.size() - 1).closes).hasValue(1);
    }
}
