package dev.fmnist.explainer.health;

import dev.fmnist.explainer.service.RegistryMonitor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the model registry could be read (see {@link RegistryMonitor}: an empty registry, or
 * none yet, is fine: versions are loaded when a prediction needs them); the data name each explained
 * model's state and the open versions. Kafka and the database are checked by the checks Quarkus adds.
 */
@Readiness
@ApplicationScoped
public class RegistryHealthCheck implements HealthCheck {
    public static final String NAME = "Model registry";

    private final RegistryMonitor monitor;

    public RegistryHealthCheck(RegistryMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME).status(monitor.ready());
        monitor.describe().forEach(builder::withData);
        return builder.build();
    }
}
