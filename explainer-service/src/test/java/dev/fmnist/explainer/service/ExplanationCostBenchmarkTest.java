package dev.fmnist.explainer.service;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.registry.ModelRegistryReader;
import dev.fmnist.common.registry.StoredModel;
import dev.fmnist.common.scoring.ModelScorer;
import dev.fmnist.common.scoring.ModelScorers;
import dev.fmnist.common.scoring.ScorerOptions;
import dev.fmnist.explainer.domain.Attribution;
import dev.fmnist.explainer.domain.AttributionMethod;
import dev.fmnist.explainer.domain.StableHash;
import dev.fmnist.explainer.xai.ExplainerSettings;
import dev.fmnist.explainer.xai.KernelShapExplainer;
import dev.fmnist.explainer.xai.LimeExplainer;
import dev.fmnist.explainer.xai.TreeShapExplainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Manual measurement, not in CI: what one explanation costs with the service's default settings and
 * the newest trained models of a real registry, on one thread (the service's default), so that
 * {@code explainer.sample-rate}, {@code explainer.parallelism} and {@code explainer.max-lag} can be
 * sized. Run with
 * {@code mvn -pl explainer-service test -Dtest=ExplanationCostBenchmarkTest -Dfmnist.benchmark=true
 * [-Dfmnist.benchmark.registry-url=jdbc:postgresql://127.0.0.1:5432/fmnist] [-Dfmnist.benchmark.images=20]}.
 * The heatmap of the first image per model and method is written to {@code target/explanation-benchmark/}.
 *
 * <p>Per model and method it prints the time per explanation, explanations per second, the time of
 * the model calls alone (the same number of images scored in batches of the same size) and the
 * overhead ratio (explanation time / model-call time; target at most 1.3); then the sustained rate of
 * fully explained lenet images (LIME and KernelSHAP per image; targets at least 10 images/s, at most
 * 100 ms per image; TreeSHAP at most 5 ms).
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "fmnist.benchmark", matches = "true")
class ExplanationCostBenchmarkTest {
    static final Path OUT = Path.of("target", "explanation-benchmark");

    @Test
    void costOfOneExplanationPerMethodAndModel() throws Exception {
        Files.createDirectories(OUT);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(System.getProperty("fmnist.benchmark.registry-url", "jdbc:postgresql://127.0.0.1:5432/fmnist"));
        ds.setUser(System.getProperty("fmnist.benchmark.registry-user", "postgres"));
        ModelRegistryReader reader = new ModelRegistryReader(ds);
        int n = Integer.getInteger("fmnist.benchmark.images", 20);
        LabelledImages images = FashionMnist.load().test().head(n);
        ExplainerSettings settings = ExplainerSettings.defaults();
        List<AttributionMethod> methods = List.of(new LimeExplainer(settings), new KernelShapExplainer(settings),
                new TreeShapExplainer(settings));
        ScorerOptions options = ScorerOptions.cpu().withThreads(1);
        System.out.printf(Locale.ROOT, "%-8s %-4s %-12s %6s %9s %9s %9s %9s %10s %9s %9s%n", "model", "ver", "method",
                "images", "mean ms", "p50 ms", "max ms", "samples", "quality", "model ms", "overhead");
        for (String name : ModelNames.KNOWN) {
            Optional<StoredModel> stored = reader.latest(name);
            if (stored.isEmpty()) {
                System.out.printf("%-8s (no published version)%n", name);
                continue;
            }
            try (ModelScorer model = ModelScorers.open(stored.get(), options)) {
                model.warmUp(256);
                for (AttributionMethod method : methods) {
                    if (!method.supports(model)) {
                        continue;
                    }
                    double[] ms = new double[n];
                    double quality = 0;
                    int samples = 0;
                    method.explain(model, Pixels.toModelInput(images.image(0)), 0, 1); // warm-up
                    for (int i = 0; i < n; i++) {
                        float[] x = Pixels.toModelInput(images.image(i));
                        int label = ModelScorers.argmax(model.score(x, 1), 0);
                        long t0 = System.nanoTime();
                        Attribution a = method.explain(model, x, label, StableHash.seed("bench-" + i, method.name()));
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                        samples = a.samples();
                        if (i == 0) {
                            Path png = OUT.resolve(name + "-" + method.name() + ".png");
                            Files.write(png, HeatmapRenderer.png(images.image(i), a.attributions(), 10));
                        }
                        quality += a.limeR2() != null ? a.limeR2() : a.efficiencyGap() != null ? a.efficiencyGap() : 0;
                    }
                    double[] sorted = ms.clone();
                    Arrays.sort(sorted);
                    double mean = Arrays.stream(ms).average().orElse(0);
                    double modelMs = modelCallMs(model, images, n, samples, settings.batchSize());
                    System.out.printf(Locale.ROOT, "%-8s %-4d %-12s %6d %9.1f %9.1f %9.1f %9d %10.4g %9.1f %8.2fx   "
                                    + "(%.1f explanations/s)%n", name, model.version(), method.name(), n, mean,
                            sorted[n / 2], sorted[n - 1], samples, quality / n, modelMs, mean / modelMs, 1000 / mean);
                }
                if (name.equals("lenet")) {
                    sustained(model, images, n, methods.get(0), methods.get(1));
                }
            }
        }
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

    /** Images fully explained per second (LIME and KernelSHAP each), one after another on one thread. */
    private static void sustained(ModelScorer model, LabelledImages images, int n, AttributionMethod lime,
                                  AttributionMethod kernelShap) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            float[] x = Pixels.toModelInput(images.image(i));
            int label = ModelScorers.argmax(model.score(x, 1), 0);
            lime.explain(model, x, label, StableHash.seed("sustained-" + i, lime.name()));
            kernelShap.explain(model, x, label, StableHash.seed("sustained-" + i, kernelShap.name()));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "sustained lenet/%d: %d images fully explained (lime + kernel_shap) in %.2f s: "
                + "%.1f images/s, %.1f ms per image%n", model.version(), n, seconds, n / seconds, 1000 * seconds / n);
    }
}
