package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.fmnist.common.messaging.Topics;
import dev.fmnist.inference.messaging.ResultProducer;
import dev.fmnist.testsupport.InfrastructureChecks;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The service against the real broker and the real PostgreSQL server. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class InferenceInfrastructureIT {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ResultProducer results;

    @BeforeEach
    void modelsServed() {
        InferenceTestSupport.standardModelsReady();
    }

    @Test
    void readyWithKafkaAndDatabaseChecksUp() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Database connections health check", "Kafka connection health check",
                        "Models", "SmallRye Reactive Messaging - readiness check"));
    }

    @Test
    void recordSentThroughTheRealBrokerIsReadBack() {
        assertThat(InfrastructureChecks.kafkaRoundTrip(Topics.IMAGES, "{\"hello\":\"inference\"}"))
                .isEqualTo("{\"hello\":\"inference\"}");
    }

    @Test
    void rowWrittenToTheRealDatabaseIsReadBack() throws Exception {
        assertThat(InfrastructureChecks.databaseRoundTrip(dataSource, "inference row")).isEqualTo("inference row");
    }

    /** A kafka.* setting of the test profile (compression.type=lz4) reaches the plain producer, with its own tuning. */
    @Test
    void predictionsProducerIsBuiltFromTheKafkaSettings() {
        var config = new org.apache.kafka.clients.producer.ProducerConfig(results.producer().config());
        assertThat(config.getString("compression.type")).isEqualTo("lz4");
        assertThat(String.join(",", config.getList("bootstrap.servers"))).isEqualTo(KafkaBrokerTestResource.bootstrapServers());
        assertThat(config.getString("acks")).isIn("all", "-1");
        assertThat(config.getInt("batch.size")).isEqualTo(262_144);
    }
}
