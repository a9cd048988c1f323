package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

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

    /**
     * Readiness: the models and Kafka, not the database (the registry has a group of its own, and Kubernetes'
     * probe, group models, checks the models alone; RegistryOutageIT takes the database away).
     */
    @Test
    void readyWithKafkaAndModelsChecksUpAndTheRegistryInAGroupOfItsOwn() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Kafka connection health check", "Models",
                        "SmallRye Reactive Messaging - readiness check", "Kafka access"))
                .body("checks.name", not(hasItem("Database connections health check")))
                .body("checks.name", not(hasItem("Model registry")));
        given().when().get("/q/health/group/models").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", contains("Models"));
        given().when().get("/q/health/group/registry").then()
                .statusCode(200)
                .body("checks.name", contains("Model registry"))
                .body("checks[0].status", equalTo("UP"))
                .body("checks[0].data.registry", equalTo("reachable"));
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

    /** A kafka.* setting of the test profile (compression.type=gzip, not the default lz4) reaches the plain producer, with its own tuning. */
    @Test
    void predictionsProducerIsBuiltFromTheKafkaSettings() {
        var config = new org.apache.kafka.clients.producer.ProducerConfig(results.producer().config());
        assertThat(config.getString("compression.type")).isEqualTo("gzip");
        assertThat(String.join(",", config.getList("bootstrap.servers"))).isEqualTo(KafkaBrokerTestResource.bootstrapServers());
        assertThat(config.getString("acks")).isIn("all", "-1");
        assertThat(config.getInt("batch.size")).isEqualTo(262_144);
    }
}
