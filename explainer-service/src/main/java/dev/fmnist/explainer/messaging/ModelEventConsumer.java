package dev.fmnist.explainer.messaging;

import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.explainer.service.RegistryMonitor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Hot reload: every instance reads all of {@code fmnist.models} (a consumer group of its own) and
 * loads each announced version ahead of use, on the registry monitor's thread, never on the event loop.
 */
@ApplicationScoped
public class ModelEventConsumer {
    public static final String CHANNEL = "models";
    private static final Logger LOG = Logger.getLogger(ModelEventConsumer.class);

    private final RegistryMonitor monitor;

    public ModelEventConsumer(RegistryMonitor monitor) {
        this.monitor = monitor;
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> onEvent(byte[] value) {
        ModelPublished event;
        try {
            event = Json.read(value, ModelPublished.class);
        } catch (InvalidMessageException e) {
            LOG.warnf("Ignoring an invalid fmnist.models record (%s): %s", e.reason().code(), e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        LOG.infof("fmnist.models announces %s (%s)", event.ref(), event.format());
        return monitor.onPublished(event);
    }
}
