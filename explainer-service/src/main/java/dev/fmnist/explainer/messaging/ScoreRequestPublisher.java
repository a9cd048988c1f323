package dev.fmnist.explainer.messaging;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * Sends the web page's uploads to {@code fmnist.images} like any other client: the inference
 * service scores them and this service explains them from {@code fmnist.predictions}.
 */
@ApplicationScoped
public class ScoreRequestPublisher {
    public static final String CHANNEL = "images-out";

    private final Emitter<byte[]> images;

    public ScoreRequestPublisher(@Channel(CHANNEL) Emitter<byte[]> images) {
        this.images = images;
    }

    /** Sends one request and waits (on the caller's worker thread) until the broker has it. */
    public void send(ScoreRequest request, Duration timeout) throws ExecutionException, TimeoutException,
            InterruptedException {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        OutgoingKafkaRecordMetadata<String> key = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(request.id()).build();
        images.send(Message.of(Json.write(request), Metadata.of(key), () -> {
            acked.complete(null);
            return CompletableFuture.completedFuture(null);
        }, e -> {
            acked.completeExceptionally(e);
            return CompletableFuture.completedFuture(null);
        }));
        acked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
