package dev.fmnist.inference.health;

import dev.fmnist.inference.service.ModelLoader;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the models are (see {@link ModelLoader}: every configured model that has a published
 * version is loaded and warmed up, and at least one is); the data name each model's state.
 * Kafka is checked by the Kafka and messaging health checks Quarkus adds.
 */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {
    public static final String NAME = "Models";

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
