package dev.fmnist.benchmarks;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ExecutionProvider;
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
 * <p>Per model and method: time per explanation, the time of the model calls alone (the same calls replayed
 * on the unmasked image: as many calls, each of as many images, as the explanation made, its deletion curve's
 * included, {@link CallRecorder}) and their ratio, the overhead of the algorithm itself; then the sustained rate of fully explained lenet images (LIME and KernelSHAP each, one
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
                warmUp(model, methods, new LimeAndKernelShap(settings), images, n);
                for (AttributionMethod method : methods) {
                    if (method.supports(model)) {
                        MethodCost cost = measure(model, method, images, n, settings.batchSize());
                        costs.add(cost);
                        System.out.printf(Locale.ROOT, "%-8s %-4d %-12s %6d %9.1f %9.1f %9.1f %9d %10.4g %9.1f %8.2fx%n",
                                cost.model(), cost.version(), cost.method(), n, cost.meanMs(), cost.p50Ms(), cost.maxMs(),
                                cost.samples(), cost.meanQuality(), cost.modelCallMs(), cost.overhead());
                    }
                }
                MethodCost pair = measurePair(model, new LimeAndKernelShap(settings), images, n);
                costs.add(pair);
                System.out.printf(Locale.ROOT, "%-8s %-4d %-12s %6d %9.1f %9.1f %9.1f %9d %10.4g %9.1f %8.2fx%n",
                        pair.model(), pair.version(), "lime+kshap", n, pair.meanMs(), pair.p50Ms(), pair.maxMs(),
                        pair.samples(), pair.meanQuality(), pair.modelCallMs(), pair.overhead());
                if (name.equals("lenet")) {
                    sustained = sustained(model, images, n, methods.get(0), methods.get(1), new LimeAndKernelShap(settings));
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
        CallRecorder recorder = new CallRecorder(model);
        // TreeSHAP needs the XGBoost scorer itself: its calls are its samples' and its deletion curve's
        boolean recorded = method.supports(recorder);
        double modelMs = 0;
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            recorder.begin();
            long t0 = System.nanoTime();
            Attribution a = method.explain(recorded ? recorder : model, x, label,
                    StableHash.seed("bench-" + i, method.name()));
            ms[i] = (System.nanoTime() - t0) / 1e6;
            modelMs += replayMs(model, x, recorded ? recorder.calls() : inBatches(a.samples(), batch,
                    a.deletionCurve().length)) / n;
            samples = a.samples();
            quality += a.limeR2() != null ? a.limeR2() : a.efficiencyGap() != null ? a.efficiencyGap() : 0;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(ms).average().orElse(0);
        return new MethodCost(model.name(), model.version(), method.name(), n, mean, sorted[n / 2], sorted[n - 1],
                samples, quality / n, modelMs, mean / modelMs);
    }

    /**
     * Mean ms per image of the model calls alone: for image i, its explanation's calls replayed
     * ({@link #replayMs}).
     */
    private static double modelCallMs(ModelScorer model, LabelledImages images, List<int[]> calls) {
        double total = 0;
        for (int i = 0; i < calls.size(); i++) {
            total += replayMs(model, Pixels.toModelInput(images.image(i)), calls.get(i));
        }
        return total / calls.size();
    }

    /**
     * The ms of the model calls alone of one explanation of image {@code x}: calls of {@code calls[c]} copies of
     * the image, call for call as the explanation made them (its samples, the two ends, the deletion curves).
     * Made right after the explanation, so that both see the same machine (a later, separate pass drifted by
     * up to a fifth on this 2-core machine).
     */
    private static double replayMs(ModelScorer model, float[] x, int[] calls) {
        int largest = Arrays.stream(calls).max().orElse(0);
        float[] buffer = new float[largest * Pixels.COUNT];
        for (int k = 0; k < largest; k++) {
            System.arraycopy(x, 0, buffer, k * Pixels.COUNT, Pixels.COUNT);
        }
        long t0 = System.nanoTime();
        for (int size : calls) {
            model.score(buffer, size);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /** {@code samples} images in calls of at most {@code batch}, then one call of {@code extra} (none when 0). */
    static int[] inBatches(int samples, int batch, int extra) {
        List<Integer> sizes = new ArrayList<>();
        for (int from = 0; from < samples; from += batch) {
            sizes.add(Math.min(batch, samples - from));
        }
        if (extra > 0) {
            sizes.add(extra);
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Sustained sustained(ModelScorer model, LabelledImages images, int n, AttributionMethod lime,
                                       AttributionMethod kernelShap, LimeAndKernelShap pair) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            lime.explain(model, x, label, StableHash.seed("sustained-" + i, lime.name()));
            kernelShap.explain(model, x, label, StableHash.seed("sustained-" + i, kernelShap.name()));
        }
        double separate = (System.nanoTime() - t0) / 1e9;
        CallRecorder recorder = new CallRecorder(model);
        List<int[]> calls = new ArrayList<>();
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            recorder.begin();
            pair.explain(recorder, x, label, StableHash.seed("sustained-" + i, lime.name()),
                    StableHash.seed("sustained-" + i, kernelShap.name()));
            calls.add(recorder.calls());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Sustained(model.name(), model.version(), n, seconds, n / seconds, 1000 * seconds / n,
                1000 * separate / n, modelCallMs(model, images, calls));
    }

    /** LIME and KernelSHAP made together, as one method: {@code samples} are their model evaluations together. */
    private static MethodCost measurePair(ModelScorer model, LimeAndKernelShap pair, LabelledImages images, int n) {
        double[] ms = new double[n];
        double quality = 0;
        int samples = 0;
        CallRecorder recorder = new CallRecorder(model);
        double modelMs = 0;
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            recorder.begin();
            long t0 = System.nanoTime();
            LimeAndKernelShap.Pair p = pair.explain(recorder, x, label, StableHash.seed("bench-" + i, "lime"),
                    StableHash.seed("bench-" + i, "kernel_shap"));
            ms[i] = (System.nanoTime() - t0) / 1e6;
            modelMs += replayMs(model, x, recorder.calls()) / n;
            samples = p.kernelShap().samples() + pair.ownLimeSamples() - 1;
            quality += p.lime().limeR2();
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(ms).average().orElse(0);
        return new MethodCost(model.name(), model.version(), PAIR, n, mean, sorted[n / 2], sorted[n - 1], samples,
                quality / n, modelMs, mean / modelMs);
    }

    /**
     * Passes every call on to the model and notes how many images it scored, so that the model calls alone are
     * replayed call for call: a count of samples in full batches misses the explanation's smaller calls (the two
     * ends, the deletion curves), which cost a model call each.
     */
    static final class CallRecorder implements ModelScorer {
        private final ModelScorer model;
        private final List<Integer> sizes = new ArrayList<>();

        CallRecorder(ModelScorer model) {
            this.model = model;
        }

        /** Forgets the calls noted so far. */
        void begin() {
            sizes.clear();
        }

        /** The images of each call since {@link #begin()}, in order. */
        int[] calls() {
            return sizes.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public float[] score(float[] input, int n) {
            sizes.add(n);
            return model.score(input, n);
        }

        @Override
        public String name() {
            return model.name();
        }

        @Override
        public int version() {
            return model.version();
        }

        @Override
        public String format() {
            return model.format();
        }

        @Override
        public ExecutionProvider.Chosen provider() {
            return model.provider();
        }

        @Override
        public void close() {
            // the model is closed by its owner
        }
    }

    /**
     * {@link #WARM_UP} explanations by every method and by the pair before the first is measured, until the JIT
     * has compiled their loops, the masking and the regression they share.
     */
    private static void warmUp(ModelScorer model, List<AttributionMethod> methods, LimeAndKernelShap pair,
                               LabelledImages images, int n) {
        for (int w = 0; w < WARM_UP; w++) {
            float[] x = Pixels.toModelInput(images.image(w % n));
            for (AttributionMethod method : methods) {
                if (method.supports(model)) {
                    method.explain(model, x, 0, w);
                }
            }
            pair.explain(model, x, 0, w, w + 1);
        }
    }

    /**
     * Explanations made before the measurements: with one, the method measured first paid for the JIT
     * compiling its loops during its first images (LIME, measured first, came out 1.5 times its model calls
     * against 1.1 to 1.2 for the others); with 5 of the method measured only, lenet's LIME, measured first,
     * still had its slowest images at twice its median. Each method and the pair make this many ({@link #warmUp}).
     */
    static final int WARM_UP = 20;

    /** The method name of LIME and KernelSHAP made together in the JSON and the report. */
    public static final String PAIR = "lime+kernel_shap";
}
