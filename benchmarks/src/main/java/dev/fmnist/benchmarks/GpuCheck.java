package dev.fmnist.benchmarks;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The GPU check of deploy/gpu/check.sh: for each named model of the registry, scores the 10,000 test
 * images on the CUDA execution provider and on the CPU, compares them (same labels, largest
 * probability difference at most 1e-4) and measures batch-256 throughput on both, in the same run.
 * Asks for {@code cuda}, not {@code auto}: a machine without a usable GPU fails here with the reason
 * instead of measuring the CPU twice. Exit status: 0 all agree, 1 a disagreement, 2 no CUDA.
 *
 * <p>Usage: {@code GpuCheck [model ...]} (default {@code lenet cnn}); the registry as in {@link RegistryModels}.
 */
public final class GpuCheck {
    static final double TOLERANCE = 1e-4;
    static final int BATCH = 256;

    private GpuCheck() {
    }

    /** One model's comparison. */
    record Row(String model, int version, int images, int labelsDiffering, double maxProbabilityDifference, double cpuImagesPerSecond,
               double cudaImagesPerSecond) {
        boolean agrees() {
            return labelsDiffering == 0 && maxProbabilityDifference <= TOLERANCE;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> models = args.length == 0 ? List.of("lenet", "cnn") : List.of(args);
        LabelledImages test = FashionMnist.load().test();
        float[] input = test.modelInput();
        List<Row> rows = new ArrayList<>();
        for (String name : models) {
            try {
                rows.add(check(RegistryModels.latest(name), input, test.size()));
            } catch (ExecutionProvider.CudaUnavailableException e) {
                System.err.println("gpu check: " + name + " cannot run on CUDA: " + e.getMessage());
                System.exit(2);
            }
        }
        System.out.println(table(rows));
        System.exit(rows.stream().allMatch(Row::agrees) ? 0 : 1);
    }

    /**
     * Scores {@code n} images of {@code input} on the CPU, then on CUDA, and compares.
     *
     * @throws ExecutionProvider.CudaUnavailableException when CUDA cannot be had (a CPU build, no GPU)
     */
    static Row check(StoredModel stored, float[] input, int n) {
        ScorerOptions cpuOptions = ScorerOptions.cpu();
        // CUDA opened first: a machine without it is told so before any CPU work is spent
        try (ModelScorer gpu = ModelScorers.open(stored, cpuOptions.withProvider(ExecutionProvider.CUDA));
             ModelScorer cpu = ModelScorers.open(stored, cpuOptions)) {
            if (gpu.provider() != ExecutionProvider.Chosen.CUDA) {
                throw new ExecutionProvider.CudaUnavailableException(stored.name() + " runs on " + gpu.provider());
            }
            float[] onCpu = scoreAll(cpu, input, n);
            double cpuRate = throughput(cpu, input);
            float[] onCuda = scoreAll(gpu, input, n);
            return compare(stored.name(), stored.version(), onCpu, onCuda, cpuRate, throughput(gpu, input));
        }
    }

    static Row compare(String model, int version, float[] cpu, float[] cuda, double cpuRate, double cudaRate) {
        int n = cpu.length / ModelScorer.OUTPUT_SIZE;
        int differing = 0;
        double max = 0;
        for (int i = 0; i < n; i++) {
            if (ModelScorers.argmax(cpu, i) != ModelScorers.argmax(cuda, i)) {
                differing++;
            }
        }
        for (int i = 0; i < cpu.length; i++) {
            max = Math.max(max, Math.abs(cpu[i] - cuda[i]));
        }
        return new Row(model, version, n, differing, max, cpuRate, cudaRate);
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | images | labels differing | max |p_cuda - p_cpu| | CPU img/s (batch ").append(BATCH)
                .append(") | CUDA img/s (batch ").append(BATCH).append(") | verdict |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s v%d | %,d | %d | %.2e | %,.0f | %,.0f | %s |%n", r.model(),
                    r.version(), r.images(), r.labelsDiffering(), r.maxProbabilityDifference(), r.cpuImagesPerSecond(),
                    r.cudaImagesPerSecond(), r.agrees() ? "agree" : "DISAGREE (tolerance " + TOLERANCE + ")"));
        }
        return sb.toString();
    }

    private static float[] scoreAll(ModelScorer scorer, float[] input, int n) {
        scorer.warmUp(BATCH);
        return scorer.score(input, n);
    }

    /** Batch-256 images per second over at least 3 s, after a warm-up of 1 s. */
    private static double throughput(ModelScorer scorer, float[] input) {
        float[] batch = java.util.Arrays.copyOf(input, BATCH * ModelScorer.INPUT_SIZE);
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            scorer.score(batch, BATCH);
        }
        long start = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - start < 3_000_000_000L) {
            scorer.score(batch, BATCH);
            calls++;
        }
        return calls * BATCH / ((System.nanoTime() - start) / 1e9);
    }
}
