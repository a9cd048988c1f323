package dev.fmnist.inference.messaging;

import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.inference.service.ModelLoader;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Hot reload: every instance reads all of {@code fmnist.models} (a consumer group of its own,
 * from the start of the compacted topic) and loads each announced version newer than the one it
 * serves; the load runs on the model-loader thread, never on the event loop.
 */
@ApplicationScoped
public class ModelEventConsumer {
    public static final String CHANNEL = "models";
    private static final Logger LOG = Logger.getLogger(ModelEventConsumer.class);

    private final ModelLoader loader;

    public ModelEventConsumer(ModelLoader loader) {
        this.loader = loader;
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
        return loader.onPublished(event);
    }
}
