package dev.fmnist.inference.health;

import dev.fmnist.inference.service.ModelLoader;
import dev.fmnist.runtime.LatestVersionLoader;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The model registry (PostgreSQL) as the model loader last read it, in health group {@value #GROUP}
 * ({@code /q/health/group/registry}): DOWN while it cannot be read, with data {@code registry: unreachable
 * since ... (cause)} and {@code serving}. Deliberately neither readiness nor liveness: the registry is read only
 * to find and load new versions, the loaded models keep serving without it (the readiness check
 * {@link ModelsHealthCheck} carries the same {@code registry} entry as data, its status unchanged), and hot
 * reload resumes when it is back. Quarkus' own datasource check is off ({@code quarkus.datasource.health.enabled}).
 */
@HealthGroup(RegistryHealthCheck.GROUP)
@ApplicationScoped
public class RegistryHealthCheck implements HealthCheck {
    public static final String GROUP = "registry";
    public static final String NAME = "Model registry";

    private final ModelLoader loader;

    public RegistryHealthCheck(ModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<LatestVersionLoader.RegistryOutage> outage = loader.registryOutage();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME).status(outage.isEmpty());
        if (outage.isPresent()) {
            builder.withData("registry", outage.get().toString())
                    .withData("state", "degraded")
                    .withData("serving", loader.ready()
                            ? "the loaded versions; new versions load when the registry is back"
                            : "not ready: " + loader.describe());
        } else {
            builder.withData("registry", loader.describe().getOrDefault("registry", "reachable"))
                    .withData("state", "ok");
        }
        return builder.build();
    }
}
