package dev.fmnist.benchmarks;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.AttributionMethod;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.KernelShapExplainer;
import dev.fmnist.xai.LimeAndKernelShap;
import dev.fmnist.xai.LimeExplainer;
import dev.fmnist.xai.StableHash;
import dev.fmnist.xai.TreeShapExplainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one explanation costs with the explainer service's default settings (LIME 1,000 samples,
 * KernelSHAP's automatic budget over the 4x4 grid, TreeSHAP for XGBoost) and the newest models of
 * the registry, on one thread (the service's default {@code explainer.parallelism} and
 * {@code explainer.threads}), so that {@code explainer.sample-rate} and {@code explainer.max-lag}
 * can be sized.
 *
 * <p>Per model and method: time per explanation, the time of the model calls alone (the same number
 * of images scored in batches of the same size) and their ratio, the overhead of the algorithm
 * itself; then the sustained rate of fully explained lenet images (LIME and KernelSHAP each, one
 * after another). Usage: {@code ExplanationCost [images per model, default 20] [json file] [--model NAME=FILE ...]
 * [--train-xgboost N]} ({@code --train-xgboost}: also an XGBoost model of 40 rounds trained here on N training images):
 * with {@code --model}, those model files (ONNX, or XGBoost UBJSON for a name ending in {@code xgboost} or
 * {@code forest}) instead of the registry's newest versions.
 */
public final class ExplanationCost {

    /** One model and method. */
    public record MethodCost(String model, int version, String method, int images, double meanMs, double p50Ms,
                             double maxMs, int samples, double meanQuality, double modelCallMs, double overhead) {
    }

    /**
     * LIME and KernelSHAP of each image in turn, on one thread, as the service makes them (one set of model
     * evaluations for both, {@link LimeAndKernelShap}); {@code separateMsPerImage} is the two made separately in
     * the same run, {@code modelCallMs} the pair's model evaluations scored alone.
     */
    public record Sustained(String model, int version, int images, double seconds, double imagesPerSecond,
                            double msPerImage, double separateMsPerImage, double modelCallMs) {
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        Map<String, Path> files = new LinkedHashMap<>();
        int trainXgboost = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--model") && i + 1 < args.length && args[i + 1].contains("=")) {
                String[] kv = args[++i].split("=", 2);
                files.put(kv[0], Path.of(kv[1]));
            } else if (args[i].equals("--train-xgboost") && i + 1 < args.length) {
                trainXgboost = Integer.parseInt(args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        int n = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 20;
        Path json = positional.size() > 1 ? Path.of(positional.get(1)) : null;
        LabelledImages images = FashionMnist.load().test().head(n);
        ExplainerSettings settings = ExplainerSettings.defaults();
        List<AttributionMethod> methods = List.of(new LimeExplainer(settings), new KernelShapExplainer(settings),
                new TreeShapExplainer(settings));
        ScorerOptions options = ScorerOptions.cpu().withThreads(1);
        List<MethodCost> costs = new ArrayList<>();
        Sustained sustained = null;
        System.out.printf(Locale.ROOT, "%-8s %-4s %-12s %6s %9s %9s %9s %9s %10s %9s %9s%n", "model", "ver", "method",
                "images", "mean ms", "p50 ms", "max ms", "samples", "quality", "model ms", "overhead");
        if (trainXgboost > 0) {
            // a short XGBoost model for the cost of its explanations (SegmentationChoice's: 40 rounds, depth 4)
            Path trained = Files.createTempFile("explanation-cost-xgboost", ".ubj");
            trained.toFile().deleteOnExit();
            Files.write(trained, SegmentationChoice.trainXgboost(FashionMnist.load().train(), images, trainXgboost));
            files.put("xgboost", trained);
        }
        for (String name : files.isEmpty() ? ModelNames.KNOWN : files.keySet()) {
            Optional<ModelScorer> opened = open(name, files.get(name), options);
            if (opened.isEmpty()) {
                System.out.printf("%-8s (no published version)%n", name);
                continue;
            }
            try (ModelScorer model = opened.get()) {
                model.warmUp(settings.batchSize());
                for (AttributionMethod method : methods) {
                    if (method.supports(model)) {
                        MethodCost cost = measure(model, method, images, n, settings.batchSize());
                        costs.add(cost);
                        System.out.printf(Locale.ROOT, "%-8s %-4d %-12s %6d %9.1f %9.1f %9.1f %9d %10.4g %9.1f %8.2fx%n",
                                cost.model(), cost.version(), cost.method(), n, cost.meanMs(), cost.p50Ms(), cost.maxMs(),
                                cost.samples(), cost.meanQuality(), cost.modelCallMs(), cost.overhead());
                    }
                }
                MethodCost pair = measurePair(model, new LimeAndKernelShap(settings), images, n, settings.batchSize());
                costs.add(pair);
                System.out.printf(Locale.ROOT, "%-8s %-4d %-12s %6d %9.1f %9.1f %9.1f %9d %10.4g %9.1f %8.2fx%n",
                        pair.model(), pair.version(), "lime+kshap", n, pair.meanMs(), pair.p50Ms(), pair.maxMs(),
                        pair.samples(), pair.meanQuality(), pair.modelCallMs(), pair.overhead());
                if (name.equals("lenet")) {
                    sustained = sustained(model, images, n, methods.get(0), methods.get(1), new LimeAndKernelShap(settings),
                            pair.samples(), settings.batchSize());
                    System.out.printf(Locale.ROOT, "sustained lenet/%d: %d images fully explained (lime + kernel_shap) "
                                    + "in %.2f s: %.1f images/s, %.1f ms per image (separately %.1f ms; the model calls "
                                    + "alone %.1f ms)%n", sustained.version(), n, sustained.seconds(),
                            sustained.imagesPerSecond(), sustained.msPerImage(), sustained.separateMsPerImage(),
                            sustained.modelCallMs());
                }
            }
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("images", n);
            doc.put("threads", 1);
            doc.put("methods", costs);
            doc.put("sustained", sustained);
            doc.put("measuredAt", Instant.now().toString());
            if (json.getParent() != null) {
                Files.createDirectories(json.getParent());
            }
            Files.write(json, Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        }
    }

    /** The model file given for {@code name}, else the registry's newest version of it. */
    static Optional<ModelScorer> open(String name, Path file, ScorerOptions options) throws Exception {
        if (file == null) {
            Optional<StoredModel> stored = RegistryModels.reader().latest(name);
            return stored.isEmpty() ? Optional.empty() : Optional.of(ModelScorers.open(stored.get(), options));
        }
        String format = name.endsWith("xgboost") || name.endsWith("forest") ? ModelPublished.FORMAT_XGBOOST_UBJ : ModelPublished.FORMAT_ONNX;
        return Optional.of(ModelScorers.open(name, 0, format, Files.readAllBytes(file), options));
    }

    private static MethodCost measure(ModelScorer model, AttributionMethod method, LabelledImages images, int n,
                                      int batch) {
        double[] ms = new double[n];
        double quality = 0;
        int samples = 0;
        for (int w = 0; w < WARM_UP; w++) { // until the JIT has compiled the method's loops, not in the first figures
            method.explain(model, Pixels.toModelInput(images.image(w % n)), 0, w);
        }
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            long t0 = System.nanoTime();
            Attribution a = method.explain(model, x, label, StableHash.seed("bench-" + i, method.name()));
            ms[i] = (System.nanoTime() - t0) / 1e6;
            samples = a.samples();
            quality += a.limeR2() != null ? a.limeR2() : a.efficiencyGap() != null ? a.efficiencyGap() : 0;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(ms).average().orElse(0);
        double modelMs = modelCallMs(model, images, n, samples, batch);
        return new MethodCost(model.name(), model.version(), method.name(), n, mean, sorted[n / 2], sorted[n - 1],
                samples, quality / n, modelMs, mean / modelMs);
    }

    /** Mean ms per image of scoring {@code samples} copies of each image in batches of {@code batch}: the model calls alone. */
    private static double modelCallMs(ModelScorer model, LabelledImages images, int n, int samples, int batch) {
        if (samples < 1) {
            return Double.NaN;
        }
        float[] buffer = new float[Math.min(batch, samples) * Pixels.COUNT];
        double total = 0;
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            for (int k = 0; k < buffer.length / Pixels.COUNT; k++) {
                System.arraycopy(x, 0, buffer, k * Pixels.COUNT, Pixels.COUNT);
            }
            long t0 = System.nanoTime();
            for (int from = 0; from < samples; from += batch) {
                model.score(buffer, Math.min(batch, samples - from));
            }
            total += (System.nanoTime() - t0) / 1e6;
        }
        return total / n;
    }

    private static Sustained sustained(ModelScorer model, LabelledImages images, int n, AttributionMethod lime,
                                       AttributionMethod kernelShap, LimeAndKernelShap pair, int pairSamples, int batch) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            lime.explain(model, x, label, StableHash.seed("sustained-" + i, lime.name()));
            kernelShap.explain(model, x, label, StableHash.seed("sustained-" + i, kernelShap.name()));
        }
        double separate = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            pair.explain(model, x, label, StableHash.seed("sustained-" + i, lime.name()),
                    StableHash.seed("sustained-" + i, kernelShap.name()));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Sustained(model.name(), model.version(), n, seconds, n / seconds, 1000 * seconds / n,
                1000 * separate / n, modelCallMs(model, images, n, pairSamples, batch));
    }

    /** LIME and KernelSHAP made together, as one method: {@code samples} are their model evaluations together. */
    private static MethodCost measurePair(ModelScorer model, LimeAndKernelShap pair, LabelledImages images, int n,
                                          int batch) {
        double[] ms = new double[n];
        double quality = 0;
        int samples = 0;
        for (int w = 0; w < WARM_UP; w++) {
            pair.explain(model, Pixels.toModelInput(images.image(w % n)), 0, w, w + 1);
        }
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            long t0 = System.nanoTime();
            LimeAndKernelShap.Pair p = pair.explain(model, x, label, StableHash.seed("bench-" + i, "lime"),
                    StableHash.seed("bench-" + i, "kernel_shap"));
            ms[i] = (System.nanoTime() - t0) / 1e6;
            samples = p.kernelShap().samples() + pair.ownLimeSamples() - 1;
            quality += p.lime().limeR2();
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(ms).average().orElse(0);
        double modelMs = modelCallMs(model, images, n, samples, batch);
        return new MethodCost(model.name(), model.version(), PAIR, n, mean, sorted[n / 2], sorted[n - 1], samples,
                quality / n, modelMs, mean / modelMs);
    }

    /**
     * Explanations made before each measurement: with one, the method measured first paid for the JIT
     * compiling its loops during its first images (LIME, measured first, came out 1.5 times its model calls
     * against 1.1 to 1.2 for the others).
     */
    static final int WARM_UP = 5;

    /** The method name of LIME and KernelSHAP made together in the JSON and the report. */
    public static final String PAIR = "lime+kernel_shap";
}
