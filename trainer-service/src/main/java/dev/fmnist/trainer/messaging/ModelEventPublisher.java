package dev.fmnist.trainer.messaging;

import dev.fmnist.common.kafka.KafkaAccess;
import dev.fmnist.common.kafka.KafkaClientSettings;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
    private static final java.util.regex.Pattern USERNAME = java.util.regex.Pattern.compile("username=\"([^\"]*)\"");

    private final MutinyEmitter<byte[]> emitter;
    private final Map<String, Object> kafka;

    @Inject
    public ModelEventPublisher(@Channel(CHANNEL) MutinyEmitter<byte[]> emitter,
                               @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.emitter = emitter;
        this.kafka = kafka;
    }

    /** Without the client settings (tests): {@link #accessProblem} then finds nothing. */
    public ModelEventPublisher(MutinyEmitter<byte[]> emitter) {
        this(emitter, null);
    }

    /**
     * Why the broker refuses this trainer's announcements, in plain words, if it does: its credentials, or no ACL
     * allowing WRITE on {@code fmnist.models}. Asked after a failed announcement, because the channel's producer
     * retries a refusal until the announcement times out, which says nothing.
     */
    public Optional<String> accessProblem() {
        if (kafka == null) {
            return Optional.empty();
        }
        Admin created;
        try {
            // default.api.timeout.ms below request.timeout.ms (30 s by default) is a ConfigException: set both
            created = Admin.create(KafkaClientSettings.of(kafka).admin(Map.of(
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000)));
        } catch (RuntimeException e) {
            // no answer rather than a misleading one: the caller keeps the announcement's own failure
            return Optional.empty();
        }
        try (Admin admin = created) {
            Map<String, String> problems = KafkaAccess.check(admin, List.of(KafkaAccess.Need.write(Topics.MODELS)),
                    Duration.ofSeconds(15));
            return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems.values()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(KafkaAccess.explain(e));
        }
    }

    /**
     * The Kafka principal this trainer logs in as, {@code User:<name>} from the user name of its
     * {@code sasl.jaas.config}; empty without SASL settings (a plaintext broker names no principal).
     */
    public Optional<String> principal() {
        Object jaas = kafka == null ? null : kafka.get("sasl.jaas.config");
        if (jaas == null) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = USERNAME.matcher(jaas.toString());
        return m.find() ? Optional.of("User:" + m.group(1)) : Optional.empty();
    }

    /** Completes when the broker acknowledged the event. Call only after the version committed. */
    public Uni<Void> publish(ModelPublished event) {
        event.validate();
        Message<byte[]> message = Message.of(Json.write(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.name()).build());
        return emitter.sendMessage(message);
    }
}
