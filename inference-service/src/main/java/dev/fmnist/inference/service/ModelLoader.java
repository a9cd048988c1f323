package dev.fmnist.inference.service;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.runtime.LatestVersionLoader;
import dev.fmnist.runtime.ModelOpener;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.ScorerOptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * model-runtime's {@link LatestVersionLoader} for the models of {@code inference.models}: started with the
 * application, configured from {@code inference.*}, its loads counted as {@code inference.model.loads} and the
 * loaded versions exposed as {@code inference.model.version}. Readiness and hot reload are the runtime's.
 */
@ApplicationScoped
public class ModelLoader {
    private final LatestVersionLoader loader;

    public ModelLoader(InferenceConfig config, ModelHolder holder, DataSource dataSource,
                       Instance<ReadinessListener> listeners, MeterRegistry meters) {
        ScorerOptions options = new ScorerOptions(ExecutionProvider.parse(config.executionProvider()), config.threads(),
                config.maxBatch(), config.xgboostExecutionProvider().map(ExecutionProvider::parse).orElse(null),
                config.threadSpinning());
        this.loader = new LatestVersionLoader(holder, new ModelRegistryReader(dataSource),
                new ModelOpener(options, config.maxBatch()), config.retryInterval(), config.pollInterval(),
                (model, outcome) -> meters.counter("inference.model.loads", "model", model, "outcome", outcome).increment(),
                listeners);
        Gauge.builder("inference.registry.reachable", loader, l -> l.registryOutage().isPresent() ? 0 : 1)
                .description("1 while the model registry can be read, 0 during an outage (the loaded models keep serving)")
                .register(meters);
        for (String name : holder.configured()) {
            Gauge.builder("inference.model.version", holder, h -> h.version(name).orElse(0))
                    .description("Loaded registry version of each model (0 = none)")
                    .tag("model", name).register(meters);
        }
    }

    void start(@Observes StartupEvent event) {
        loader.start();
    }

    @PreDestroy
    void stop() {
        loader.stop();
    }

    /** True once every configured model that has a published version is loaded, and at least one is. */
    public boolean ready() {
        return loader.ready();
    }

    /** The registry outage in progress (the loaded models keep serving), if any. */
    public Optional<LatestVersionLoader.RegistryOutage> registryOutage() {
        return loader.registryOutage();
    }

    /** Per configured model: its state in words (for health checks). */
    public Map<String, String> describe() {
        return loader.describe();
    }

    /** Loads a version announced on {@code fmnist.models} when it is newer than the loaded one; never fails. */
    public CompletableFuture<Void> onPublished(ModelPublished event) {
        return loader.onPublished(event);
    }
}
