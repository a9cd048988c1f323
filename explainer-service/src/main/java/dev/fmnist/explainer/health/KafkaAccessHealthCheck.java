package dev.fmnist.explainer.health;

import dev.fmnist.common.kafka.KafkaAccess;
import dev.fmnist.common.kafka.KafkaAccessMonitor;
import dev.fmnist.common.messaging.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@value #NAME}: whether the broker accepts this service's credentials and its ACLs allow
 * everything the service does (read {@code fmnist.predictions} and {@code fmnist.models}, write explanation events,
 * dead letters and uploaded photos to {@code fmnist.images}), checked at start and every 30 s on a thread of its own ({@link KafkaAccessMonitor}). DOWN with one
 * plain sentence per problem (a refused password, a missing ACL naming topic and operation), so a secured
 * broker's refusal shows in {@code /q/health/ready} and the log before any record is lost in a failed batch.
 * Readiness, as Quarkus' own Kafka check.
 */
// created at start, not at the first readiness call: a refusal is logged even where nobody polls readiness
@Startup
@Readiness
@ApplicationScoped
public class KafkaAccessHealthCheck implements HealthCheck {
    public static final String NAME = "Kafka access";

    private final KafkaAccessMonitor monitor;

    public KafkaAccessHealthCheck(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.monitor = new KafkaAccessMonitor("explainer-service", kafka, List.of(
                KafkaAccess.Need.read(Topics.PREDICTIONS),
                KafkaAccess.Need.read(Topics.MODELS),
                KafkaAccess.Need.write(Topics.EXPLANATIONS),
                KafkaAccess.Need.write(Topics.PREDICTIONS_DLQ),
                KafkaAccess.Need.write(Topics.IMAGES)), Duration.ofSeconds(30));
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, String> problems = monitor.problems();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME).status(problems.isEmpty());
        if (problems.isEmpty()) {
            builder.withData("allowed", monitor.needs());
        }
        problems.forEach(builder::withData);
        return builder.build();
    }

    void close(@Observes ShutdownEvent event) {
        monitor.close();
    }
}
