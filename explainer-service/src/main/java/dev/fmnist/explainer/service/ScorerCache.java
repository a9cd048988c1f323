package dev.fmnist.explainer.service;

import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.runtime.ModelOpener;
import dev.fmnist.runtime.VersionCache;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ScorerOptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

/**
 * The model versions the explainer has open, exactly the version each prediction names: model-runtime's
 * {@link VersionCache} of {@code explainer.model-cache-size} versions as a bean, its loads counted as
 * {@code explainer.model.loads} and its size exposed as {@code explainer.models.open}. Warm-up uses at most 64
 * images: explanations score a few hundred masked images per call, in batches of {@code explainer.max-batch}.
 */
@Singleton
public class ScorerCache extends VersionCache {
    private static final int WARM_UP_BATCH = 64;

    public ScorerCache(ExplainerConfig config, DataSource dataSource, MeterRegistry meters) {
        super(new ModelRegistryReader(dataSource),
                new ModelOpener(new ScorerOptions(ExecutionProvider.parse(config.executionProvider()), config.threads(),
                        config.maxBatch()), WARM_UP_BATCH),
                config.modelCacheSize(), "explainer.model-cache-size",
                (model, outcome) -> meters.counter("explainer.model.loads", "model", model, "outcome", outcome).increment());
        Gauge.builder("explainer.models.open", this, c -> c.cached().size())
                .description("Model versions open in the explainer's cache").register(meters);
    }

    @PreDestroy
    void close() {
        closeAll();
    }
}
