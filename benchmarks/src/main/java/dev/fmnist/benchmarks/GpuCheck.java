package dev.fmnist.benchmarks;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.registry.ModelFolder;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The GPU check of deploy/gpu/check.sh: for each named model, scores the 10,000 test images on the
 * CUDA execution provider and on the CPU, compares them (same labels, largest probability
 * difference at most 1e-4) and measures batch-256 throughput on both, in the same run. Asks for
 * {@code cuda}, not {@code auto}: a model that cannot run on CUDA gets a row saying why instead of
 * a measurement of the CPU twice. Exit status: 0 every model that ran on CUDA agrees, 1 a
 * disagreement, 2 no model could run on CUDA.
 *
 * <p>Usage: {@code GpuCheck [--models-dir DIR] [--test-data DIR] [--batches 1,256,4096] [model ...]} (default
 * {@code lenet cnn xgboost forest}): the models come from the registry as in {@link RegistryModels},
 * or with {@code --models-dir} from a folder that {@code GpuCheck --export DIR [model ...]} wrote from
 * the registry, or the trainer's output folder, in Triton's layout ({@link ModelFolder}), for a GPU machine with no database
 * (deploy/gpu/bundle.sh); {@code --test-data} names a folder with just the two {@code t10k} files,
 * else the dataset is found as everywhere else; {@code --batches} adds a table of both engines' throughput at
 * each batch size for the models that ran on CUDA (where the GPU starts to pay).
 */
public final class GpuCheck {
    static final double TOLERANCE = 1e-4;
    static final int BATCH = 256;

    private GpuCheck() {
    }

    static final List<String> DEFAULT_MODELS = List.of("lenet", "cnn", "xgboost", "forest");

    /**
     * One model's comparison; {@code notOnCuda} is null when it ran on CUDA, else why it could not
     * (then only the CPU figure is measured).
     */
    record Row(String model, int version, int images, int labelsDiffering, double maxProbabilityDifference, double cpuImagesPerSecond,
               double cudaImagesPerSecond, String notOnCuda) {
        boolean ranOnCuda() {
            return notOnCuda == null;
        }

        boolean agrees() {
            return ranOnCuda() && labelsDiffering == 0 && maxProbabilityDifference <= TOLERANCE;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Path export = pathOption(rest, "--export");
        Path folder = pathOption(rest, "--models-dir");
        Path testData = pathOption(rest, "--test-data");
        String batchList = option(rest, "--batches");
        List<Integer> batches = batchList == null ? List.of() : Arrays.stream(batchList.split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        List<String> models = rest.isEmpty() ? DEFAULT_MODELS : rest;
        if (export != null) {
            for (String name : models) {
                System.out.println("gpu check: wrote " + ModelFolder.write(RegistryModels.latest(name), export));
            }
            return;
        }
        LabelledImages test = testData == null ? FashionMnist.load().test() : FashionMnist.loadTest(testData);
        float[] input = test.modelInput();
        List<Row> rows = new ArrayList<>();
        List<StoredModel> onCuda = new ArrayList<>(); // read once: the batch table scores the same artifacts
        for (String name : models) {
            StoredModel stored = folder == null ? RegistryModels.latest(name) : ModelFolder.latest(folder, name);
            Row row = check(stored, input, test.size());
            if (row.ranOnCuda()) {
                onCuda.add(stored);
            } else {
                System.err.println("gpu check: " + name + " cannot run on CUDA: " + row.notOnCuda());
            }
            rows.add(row);
        }
        System.out.println(table(rows));
        if (!batches.isEmpty()) {
            List<BatchRow> sweep = new ArrayList<>();
            for (StoredModel stored : onCuda) {
                sweep.addAll(sweep(stored, input, batches));
            }
            if (!sweep.isEmpty()) {
                System.out.println();
                System.out.println(batchTable(sweep));
            }
        }
        boolean anyOnCuda = rows.stream().anyMatch(Row::ranOnCuda);
        boolean allAgree = rows.stream().filter(Row::ranOnCuda).allMatch(Row::agrees);
        System.exit(!anyOnCuda ? 2 : allAgree ? 0 : 1);
    }

    /** Removes {@code --name VALUE} from {@code args} and returns VALUE, or null when absent. */
    static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String value = args.get(i + 1);
        args.subList(i, i + 2).clear();
        return value;
    }

    private static Path pathOption(List<String> args, String name) {
        String value = option(args, name);
        return value == null ? null : Path.of(value);
    }

    /**
     * Scores {@code n} images of {@code input} on the CPU, then on CUDA, and compares. When CUDA
     * cannot be had for this model (a CPU build of its engine, no GPU, missing CUDA libraries), the
     * row says why and carries the CPU throughput alone.
     */
    static Row check(StoredModel stored, float[] input, int n) {
        ScorerOptions cpuOptions = ScorerOptions.cpu();
        try (ModelScorer cpu = ModelScorers.open(stored, cpuOptions)) {
            float[] onCpu = scoreAll(cpu, input, n);
            double cpuRate = throughput(cpu, input);
            ModelScorer gpu;
            try {
                gpu = ModelScorers.open(stored, cpuOptions.withProvider(ExecutionProvider.CUDA));
            } catch (ExecutionProvider.CudaUnavailableException e) {
                return new Row(stored.name(), stored.version(), n, 0, 0, cpuRate, 0, e.getMessage());
            }
            try (gpu) {
                if (gpu.provider() != ExecutionProvider.Chosen.CUDA) {
                    return new Row(stored.name(), stored.version(), n, 0, 0, cpuRate, 0, "it runs on " + gpu.provider());
                }
                float[] onCuda = scoreAll(gpu, input, n);
                return compare(stored.name(), stored.version(), onCpu, onCuda, cpuRate, throughput(gpu, input));
            }
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
        return new Row(model, version, n, differing, max, cpuRate, cudaRate, null);
    }

    /** Throughput of one model at one batch size on both engines. */
    record BatchRow(String model, int version, int batch, double cpuImagesPerSecond, double cudaImagesPerSecond) {
    }

    /** Throughput at each batch size, CPU then CUDA, the engines opened with a batch limit that fits the largest. */
    static List<BatchRow> sweep(StoredModel stored, float[] input, List<Integer> batches) {
        int largest = batches.stream().mapToInt(Integer::intValue).max().orElse(BATCH);
        ScorerOptions cpuOptions = new ScorerOptions(ExecutionProvider.CPU, 0, Math.max(largest, ScorerOptions.DEFAULT_MAX_BATCH));
        List<BatchRow> rows = new ArrayList<>();
        try (ModelScorer cpu = ModelScorers.open(stored, cpuOptions);
             ModelScorer gpu = ModelScorers.open(stored, cpuOptions.withProvider(ExecutionProvider.CUDA))) {
            for (int batch : batches) {
                rows.add(new BatchRow(stored.name(), stored.version(), batch, throughput(cpu, input, batch),
                        throughput(gpu, input, batch)));
            }
        }
        return rows;
    }

    static String batchTable(List<BatchRow> rows) {
        StringBuilder sb = new StringBuilder("| model | batch | CPU img/s | CUDA img/s | CUDA / CPU |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (BatchRow r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s v%d | %,d | %,.0f | %,.0f | %.2fx |%n", r.model(), r.version(), r.batch(),
                    r.cpuImagesPerSecond(), r.cudaImagesPerSecond(), r.cudaImagesPerSecond() / r.cpuImagesPerSecond()));
        }
        return sb.toString();
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | images | labels differing | max \\|p_cuda - p_cpu\\| | CPU img/s (batch ").append(BATCH)
                .append(") | CUDA img/s (batch ").append(BATCH).append(") | verdict |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Row r : rows) {
            if (!r.ranOnCuda()) {
                sb.append(String.format(Locale.ROOT, "| %s v%d | %,d | - | - | %,.0f | - | not on CUDA: %s |%n", r.model(),
                        r.version(), r.images(), r.cpuImagesPerSecond(), r.notOnCuda().replace('|', '/')));
                continue;
            }
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

    private static double throughput(ModelScorer scorer, float[] input) {
        return throughput(scorer, input, BATCH);
    }

    /** Images per second at {@code size} images a call, over at least 3 s, after a warm-up of 1 s. */
    private static double throughput(ModelScorer scorer, float[] input, int size) {
        float[] batch = Arrays.copyOf(input, size * ModelScorer.INPUT_SIZE);
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            scorer.score(batch, size);
        }
        long start = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - start < 3_000_000_000L) {
            scorer.score(batch, size);
            calls++;
        }
        return calls * size / ((System.nanoTime() - start) / 1e9);
    }
}
