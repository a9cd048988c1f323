package dev.fmnist.explainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.Topics;
import dev.fmnist.explainer.messaging.EventProducer;
import dev.fmnist.testsupport.InfrastructureChecks;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The service against the real broker and the real PostgreSQL server. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class ExplainerInfrastructureIT {

    @Inject
    EventProducer events;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void readyWithKafkaAndDatabaseChecksUp() {
        InfrastructureChecks.assertReadyWithKafkaAndDatabase();
    }

    @Test
    void recordSentThroughTheRealBrokerIsReadBack() {
        assertThat(InfrastructureChecks.kafkaRoundTrip(Topics.PREDICTIONS, "{\"hello\":\"explainer\"}"))
                .isEqualTo("{\"hello\":\"explainer\"}");
    }

    @Test
    void rowWrittenToTheRealDatabaseIsReadBack() throws Exception {
        assertThat(InfrastructureChecks.databaseRoundTrip(dataSource, "explainer row")).isEqualTo("explainer row");
    }

    /** A kafka.* setting of the test profile (compression.type=lz4) reaches the plain producer of events, dead letters and uploads. */
    @Test
    void eventProducerIsBuiltFromTheKafkaSettings() {
        var config = new org.apache.kafka.clients.producer.ProducerConfig(events.producer().config());
        assertThat(config.getString("compression.type")).isEqualTo("lz4");
        assertThat(String.join(",", config.getList("bootstrap.servers"))).isEqualTo(KafkaBrokerTestResource.bootstrapServers());
        assertThat(config.getString("acks")).isIn("all", "-1");
    }
}
