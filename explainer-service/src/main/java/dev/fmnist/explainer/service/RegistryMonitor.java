package dev.fmnist.explainer.service;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.SerialScheduler;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.explainer.config.ExplainerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Watches the model registry for readiness and loads model versions ahead of use: at start-up and
 * every {@code explainer.registry-check-interval} the newest published version of each explained
 * model, and each version announced on {@code fmnist.models} (hot reload), so the first explanation
 * with a new version does not pay for its load. Explanations load the exact version they need
 * anyway ({@link ScorerCache}); this only warms the cache.
 *
 * <p>Readiness never waits for a model: an explainer may start before anything was trained. It is
 * ready once the registry was checked and could be read; a registry schema that does not exist
 * yet, or holds no version, counts as readable and empty. Everything runs on one thread of its own.
 */
@ApplicationScoped
public class RegistryMonitor {
    private static final Logger LOG = Logger.getLogger(RegistryMonitor.class);

    private final ExplainerConfig config;
    private final ExplanationPolicy policy;
    private final ScorerCache cache;
    private final ModelRegistryReader reader;
    private final SerialScheduler executor = new SerialScheduler("registry-monitor");
    private final Map<String, String> modelStates = new ConcurrentHashMap<>();
    private volatile boolean checked;
    private volatile String registryProblem = "the registry was not checked yet";

    public RegistryMonitor(ExplainerConfig config, ExplanationPolicy policy, ScorerCache cache, DataSource dataSource) {
        this.config = config;
        this.policy = policy;
        this.cache = cache;
        this.reader = new ModelRegistryReader(dataSource);
    }

    void start(@Observes StartupEvent event) {
        executor.repeat(this::tick);
    }

    @PreDestroy
    void stop() {
        executor.stop();
    }

    /** Ready: the registry was read (it may be empty, or not created yet). */
    public boolean ready() {
        return checked && registryProblem == null;
    }

    /** The registry's state and each explained model's, in words (health check data). */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("registry", registryProblem == null ? "readable" : registryProblem);
        for (String model : policy.explainedModels()) {
            out.put(model, modelStates.getOrDefault(model, "not checked yet"));
        }
        out.put("open", cache.cached().toString());
        return out;
    }

    /** Loads a version announced on {@code fmnist.models} ahead of use; completes when done, never fails. */
    public CompletableFuture<Void> onPublished(ModelPublished event) {
        if (!policy.explainedModels().contains(event.name())) {
            return CompletableFuture.completedFuture(null);
        }
        return executor.submit(() -> {
            ModelRef ref = event.ref();
            if (cache.preload(ref)) {
                modelStates.put(event.name(), "version " + ref.version() + " loaded (announced)");
            }
        });
    }

    /** One registry check; returns the delay until the next. */
    private Duration tick() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Checking the model registry failed");
        } finally {
            checked = true;
        }
        return config.registryCheckInterval();
    }

    private void check() {
        String problem = null;
        try {
            if (!reader.exists()) {
                policy.explainedModels().forEach(m -> modelStates.put(m, "no registry yet (nothing trained)"));
            } else {
                for (String model : policy.explainedModels()) {
                    Optional<Integer> latest = reader.latestVersion(model);
                    if (latest.isEmpty()) {
                        modelStates.put(model, "no published version yet");
                        continue;
                    }
                    ModelRef ref = new ModelRef(model, latest.get());
                    Optional<String> broken = cache.brokenReason(ref);
                    if (broken.isPresent()) {
                        modelStates.put(model, broken.get());
                    } else if (cache.cached().contains(ref) || cache.preload(ref)) {
                        modelStates.put(model, "version " + ref.version() + " loaded");
                    } else {
                        modelStates.put(model, cache.brokenReason(ref).orElse("version " + ref.version()
                                + " could not be loaded; trying again"));
                    }
                }
            }
        } catch (SQLException e) {
            problem = "cannot read the registry: " + e.getMessage();
        }
        if (problem != null && !problem.equals(registryProblem)) {
            LOG.warnf("Model registry: %s (trying again every %s)", problem, config.registryCheckInterval());
        } else if (problem == null && registryProblem != null) {
            LOG.infof("Model registry readable: %s", modelStates);
        }
        registryProblem = problem;
    }
}
