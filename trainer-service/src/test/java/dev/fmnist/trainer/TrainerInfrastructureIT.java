package dev.fmnist.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.InfrastructureChecks;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.trainer.messaging.ModelEventPublisher;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The service against the real broker and the real PostgreSQL server. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class TrainerInfrastructureIT {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ModelEventPublisher publisher;

    @Test
    void readyWithKafkaAndDatabaseChecksUp() {
        InfrastructureChecks.assertReadyWithKafkaAndDatabase();
    }

    @Test
    void flywayCreatedTheRegistrySchema() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables "
                     + "WHERE table_schema = 'registry' ORDER BY table_name")) {
            List<String> tables = new java.util.ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            assertThat(tables).contains("evaluation", "model_version", "training_epoch", "training_run");
        }
        assertThat(InfrastructureChecks.databaseRoundTrip(dataSource, "trainer row")).isEqualTo("trainer row");
    }

    @Test
    void publishedModelEventArrivesOnTheRealBroker() {
        ModelPublished event = new ModelPublished("lenet", 7, ModelPublished.FORMAT_ONNX, "0f".repeat(32),
                Map.of("testAccuracy", 0.9126), Instant.now().truncatedTo(ChronoUnit.MILLIS));
        publisher.publish(event).await().atMost(Duration.ofSeconds(30));

        try (KafkaTestClient kafka = new KafkaTestClient()) {
            List<ConsumerRecord<String, byte[]>> records = kafka.read(Topics.MODELS, 1, Duration.ofSeconds(30));
            ModelPublished received = records.stream()
                    .map(r -> Json.read(r.value(), ModelPublished.class))
                    .filter(e -> e.version() == 7)
                    .findFirst().orElseThrow();
            assertThat(received).isEqualTo(event);
            assertThat(records.get(0).key()).isEqualTo("lenet");
        }
    }
}
