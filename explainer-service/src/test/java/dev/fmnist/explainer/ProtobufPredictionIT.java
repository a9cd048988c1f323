package dev.fmnist.explainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ProtobufMessages;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.common.messaging.WireFormat;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * A Protobuf prediction (fmnist.v1.Prediction, content-type application/x-protobuf; docs/protobuf.md) is stored as a
 * JSON one is, on the real broker and database, and a record that is not the message its header names is
 * dead-lettered with a reason in the contract's words.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class ProtobufPredictionIT {
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aProtobufPredictionIsStoredAndAMalformedOneDeadLettered() throws Exception {
        RegistryFixture.Version lenet = RegistryFixture.standardModels("lenet").get("lenet");
        String id = "proto-pred-" + UUID.randomUUID();
        Instant scoredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Prediction prediction;
        try (ModelScorer scorer = lenet.open()) {
            prediction = ExplainerTestSupport.predict(scorer, id, 4, false, scoredAt);
        }
        RecordHeader protobuf = new RecordHeader(WireFormat.HEADER,
                "application/x-protobuf; messageType=fmnist.v1.Prediction".getBytes());
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.PREDICTIONS, id, ProtobufMessages.write(prediction), protobuf);
            kafka.send(Topics.PREDICTIONS, id + "-bad", "{\"requestId\":\"x\"}".getBytes(), protobuf);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> stored(id) != null);
        Object[] row = stored(id);
        assertThat(row[0]).isEqualTo("lenet");
        assertThat(row[1]).isEqualTo(lenet.version());
        assertThat(row[2]).isEqualTo((short) prediction.label());
        assertThat((byte[]) row[3]).isEqualTo(ExplainerTestSupport.testImages().image(4));
        assertThat(row[4]).isEqualTo((short) ExplainerTestSupport.testImages().label(4));
        assertThat(((java.sql.Timestamp) row[5]).toInstant()).isEqualTo(scoredAt);
        assertThat((Float[]) row[6]).hasSize(10);

        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClient.readByKey(Topics.PREDICTIONS_DLQ,
                (id + "-bad")::equals, 1, Duration.ofSeconds(60));
        assertThat(dead).hasSize(1);
        assertThat(KafkaTestClient.header(dead.get(0), "error-class")).isEqualTo("invalid-protobuf");
        assertThat(KafkaTestClient.header(dead.get(0), "dead-letter-reason"))
                .startsWith("not a valid fmnist.v1.Prediction protobuf message");
    }

    /** model_name, model_version, label, image, true_label, scored_at, probabilities of the stored row, or null. */
    private Object[] stored(String id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT model_name, model_version, label, image, true_label, scored_at, probabilities "
                        + "FROM xai.prediction WHERE request_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Object[]{rs.getString(1), rs.getInt(2), rs.getShort(3), rs.getBytes(4), rs.getShort(5),
                        rs.getTimestamp(6), rs.getArray(7).getArray()};
            }
        }
    }
}
