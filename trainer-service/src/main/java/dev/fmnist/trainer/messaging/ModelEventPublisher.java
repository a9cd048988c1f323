package dev.fmnist.trainer.messaging;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Announces committed model versions on {@code fmnist.models}, keyed by model name (compacted topic). */
@ApplicationScoped
public class ModelEventPublisher {
    public static final String CHANNEL = "models-out";

    private final MutinyEmitter<byte[]> emitter;

    public ModelEventPublisher(@Channel(CHANNEL) MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    /** Completes when the broker acknowledged the event. Call only after the version committed. */
    public Uni<Void> publish(ModelPublished event) {
        event.validate();
        Message<byte[]> message = Message.of(Json.write(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.name()).build());
        return emitter.sendMessage(message);
    }
}
