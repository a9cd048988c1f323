package dev.fmnist.testsupport;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Round trips through the real broker and the real database, shared by every service's
 * infrastructure test so that none of them copies the code.
 */
public final class InfrastructureChecks {
    private InfrastructureChecks() {
    }

    /** The service under test is ready, with its Kafka and database health checks up. */
    public static void assertReadyWithKafkaAndDatabase() {
        io.restassured.RestAssured.given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItems("Database connections health check",
                        "Kafka connection health check"));
    }

    /** Sends a uniquely keyed record to {@code topic} and returns the value read back for that key. */
    public static String kafkaRoundTrip(String topic, String value) {
        String key = "roundtrip-" + UUID.randomUUID();
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(topic, key, value.getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, Integer.MAX_VALUE, Duration.ofSeconds(3));
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (key.equals(r.key())) {
                        return new String(r.value(), StandardCharsets.UTF_8);
                    }
                }
            }
            return null;
        }
    }

    /** Writes a row through {@code dataSource} (the service's own pool) and returns it as read back. */
    public static String databaseRoundTrip(DataSource dataSource, String value) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE roundtrip (id uuid PRIMARY KEY, payload text NOT NULL)");
            }
            UUID id = UUID.randomUUID();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO roundtrip (id, payload) VALUES (?, ?)")) {
                insert.setObject(1, id);
                insert.setString(2, value);
                insert.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement("SELECT payload FROM roundtrip WHERE id = ?")) {
                select.setObject(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE roundtrip");
                }
            }
        }
    }
}
