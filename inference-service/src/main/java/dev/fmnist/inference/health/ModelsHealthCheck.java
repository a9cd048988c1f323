package dev.fmnist.inference.health;

import dev.fmnist.inference.service.ModelLoader;
import jakarta.enterprise.context.ApplicationScoped;
import io.smallrye.health.api.HealthGroup;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the models are (see {@link ModelLoader}: every configured model that has a published
 * version is loaded and warmed up, and at least one is); the data name each model's state, and the
 * registry's when it cannot be read (the status does not change with it: loaded models serve without the
 * registry).
 *
 * <p>Part of {@code /q/health/ready}, where Kafka is checked too (by the Kafka and messaging health checks
 * Quarkus adds), and the only check of health group {@value #GROUP} ({@code /q/health/group/models}): the
 * Kubernetes readiness probe, since neither Kafka nor the registry is needed to answer OIP calls.
 */
@Readiness
@HealthGroup(ModelsHealthCheck.GROUP)
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {
    public static final String NAME = "Models";
    public static final String GROUP = "models";

    private final ModelLoader loader;

    public ModelsHealthCheck(ModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME).status(loader.ready());
        loader.describe().forEach(builder::withData);
        return builder.build();
    }
}
