package dev.fmnist.explainer.messaging;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.explainer.service.RegistryMonitor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Hot reload: every instance reads all of {@code fmnist.models} (a consumer group of its own) and
 * loads each announced version ahead of use, on the registry monitor's thread, never on the event loop.
 */
@ApplicationScoped
public class ModelEventConsumer {
    public static final String CHANNEL = "models";

    private final RegistryMonitor monitor;

    public ModelEventConsumer(RegistryMonitor monitor) {
        this.monitor = monitor;
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> onEvent(byte[] value) {
        return ModelPublished.fromRecord(value).<CompletionStage<Void>>map(monitor::onPublished)
                .orElseGet(() -> CompletableFuture.completedFuture(null));
    }
}
