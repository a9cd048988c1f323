package dev.fmnist.inference.messaging;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.inference.service.ModelLoader;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Hot reload: every instance reads all of {@code fmnist.models} (a consumer group of its own,
 * from the start of the compacted topic) and loads each announced version newer than the one it
 * serves; the load runs on the model-loader thread, never on the event loop.
 */
@ApplicationScoped
public class ModelEventConsumer {
    public static final String CHANNEL = "models";

    private final ModelLoader loader;

    public ModelEventConsumer(ModelLoader loader) {
        this.loader = loader;
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> onEvent(byte[] value) {
        return ModelPublished.fromRecord(value).<CompletionStage<Void>>map(loader::onPublished)
                .orElseGet(() -> CompletableFuture.completedFuture(null));
    }
}
