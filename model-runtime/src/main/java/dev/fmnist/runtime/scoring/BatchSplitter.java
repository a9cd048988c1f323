package dev.fmnist.runtime.scoring;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scores a large batch on the cores that no other model call is using: the batch is cut into parts that run at
 * once, each a single-threaded native call, and only while cores are idle.
 *
 * <p>Why, beside the engines' own intra-op threads: on a machine whose cores the service shares with a broker and
 * other processes, a model call with one native thread each serves concurrent Kafka batches best (two batches in
 * flight fill two cores without the intra-op threads of each waiting on the other's), but a lone large request
 * (an OIP call of 256 images) then leaves a core idle. Intra-op threads cannot tell the two apart; this can: it
 * counts the native calls in flight, and a batch of at least {@code 2 * minPart} images takes as many extra
 * parts as {@code cores} minus the calls in flight allow, never more. When every core is busy it adds nothing
 * and the call runs as before, on the caller's thread.
 *
 * <p>Only for CPU models whose calls run on one native thread (ONNX Runtime sessions and XGBoost boosters are
 * safe for concurrent calls); a GPU model is called whole. Results are exactly those of one call: the parts are
 * independent rows of the same model. Written by hand: the engines have no such policy, and a general executor
 * does not know the calls in flight.
 */
public final class BatchSplitter implements AutoCloseable {
    private final int cores;
    private final int minPart;
    private final ExecutorService helpers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong splitCalls = new AtomicLong();
    private final AtomicLong helperParts = new AtomicLong();

    /**
     * @param cores   the cores model calls may use at once (1: never split)
     * @param minPart the fewest images of one part
     */
    public BatchSplitter(int cores, int minPart) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be at least 1, got " + cores);
        }
        if (minPart < 1) {
            throw new IllegalArgumentException("minPart must be at least 1, got " + minPart);
        }
        this.cores = cores;
        this.minPart = minPart;
        this.helpers = cores > 1 ? Executors.newFixedThreadPool(cores - 1, daemons()) : null;
    }

    /** Calls that were split so far. */
    public long splitCalls() {
        return splitCalls.get();
    }

    /** Parts that ran on a helper thread so far (the caller runs one part of every split call itself). */
    public long helperParts() {
        return helperParts.get();
    }

    /** {@link ModelScorer#score}, cut into parts on the idle cores when {@code scorer} runs on the CPU. */
    public float[] score(ModelScorer scorer, float[] input, int n) {
        return score(scorer, input, n, true);
    }

    /**
     * {@link ModelScorer#score} in one call on the caller's thread, counted as a core in use (so that no other call
     * is split onto it meanwhile).
     */
    public float[] scoreWhole(ModelScorer scorer, float[] input, int n) {
        return score(scorer, input, n, false);
    }

    private float[] score(ModelScorer scorer, float[] input, int n, boolean maySplit) {
        int wanted = maySplit ? Math.min(cores, n / minPart) : 1;
        inFlight.incrementAndGet(); // this call's own part, counted before looking for idle cores
        int extra = wanted > 1 && scorer.provider() == ExecutionProvider.Chosen.CPU ? reserve(wanted - 1) : 0;
        try {
            return extra == 0 ? scorer.score(input, n) : split(scorer, input, n, extra + 1);
        } finally {
            inFlight.addAndGet(-1 - extra);
        }
    }

    /** Takes up to {@code most} of the cores that no call is using (this one's counted); returns how many. */
    private int reserve(int most) {
        while (true) {
            int busy = inFlight.get();
            int take = Math.min(most, cores - busy);
            if (take <= 0) {
                return 0;
            }
            if (inFlight.compareAndSet(busy, busy + take)) {
                return take;
            }
        }
    }

    private float[] split(ModelScorer scorer, float[] input, int n, int parts) {
        splitCalls.incrementAndGet();
        float[] out = new float[n * ModelScorer.OUTPUT_SIZE];
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] others = new CompletableFuture[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            others[p - 1] = CompletableFuture.runAsync(() -> part(scorer, input, from, to, out), helpers);
        }
        helperParts.addAndGet(parts - 1);
        RuntimeException failure = null;
        try {
            part(scorer, input, 0, n / parts, out);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (CompletableFuture<Void> other : others) {
            try {
                other.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return out;
    }

    private static void part(ModelScorer scorer, float[] input, int from, int to, float[] out) {
        int b = to - from;
        // a scorer reads the first b rows of its input: the first part needs no copy
        float[] rows = from == 0 ? input
                : Arrays.copyOfRange(input, from * ModelScorer.INPUT_SIZE, to * ModelScorer.INPUT_SIZE);
        System.arraycopy(scorer.score(rows, b), 0, out, from * ModelScorer.OUTPUT_SIZE, b * ModelScorer.OUTPUT_SIZE);
    }

    private static ThreadFactory daemons() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "batch-split-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdown();
            try {
                helpers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
