package dev.fmnist.explainer;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.runtime.scoring.TestModels;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The model registry of the test database, filled as trainer-service fills it (common's {@code
 * db/registry} migrations, a committed and published version, an event on {@code fmnist.models}),
 * with common's tiny but real {@link TestModels}: a template classifier in ONNX for lenet and a small
 * XGBoost booster. Registered once per JVM.
 */
public final class RegistryFixture {
    /** A registered version with its artifact. */
    public record Version(String name, int version, String format, byte[] artifact) {
        public ModelRef ref() {
            return new ModelRef(name, version);
        }

        public ModelScorer open() {
            return ModelScorers.open(name, version, format, artifact, ScorerOptions.cpu().withThreads(1));
        }
    }

    private static Map<String, Version> standard;

    private RegistryFixture() {
    }

    /** lenet and xgboost, registered and announced once per JVM. */
    public static synchronized Map<String, Version> standardModels() {
        if (standard == null) {
            migrate();
            LabelledImages training = TestModels.trainingSample(600);
            standard = Map.of(
                    "lenet", publish("lenet", ModelPublished.FORMAT_ONNX, TestModels.templateOnnx("lenet", training, 10f)),
                    "xgboost", publish("xgboost", ModelPublished.FORMAT_XGBOOST_UBJ, TestModels.xgboostUbj(training, 6, 3)));
        }
        return standard;
    }

    private static void migrate() {
        PostgresDatabaseTestResource.Database db = PostgresDatabaseTestResource.database();
        Flyway.configure()
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .schemas("registry")
                .defaultSchema("registry")
                .createSchemas(true)
                .locations("classpath:db/registry")
                .load()
                .migrate();
    }

    /** Registers the next version of {@code name}, committed and published, and announces it on fmnist.models. */
    private static Version publish(String name, String format, byte[] artifact) {
        String sha = ModelRegistryReader.sha256(artifact);
        int version;
        Instant created;
        try (Connection c = PostgresDatabaseTestResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO registry.model_version (name, version, format, sha256, artifact, metrics, published_at) "
                        + "SELECT ?, coalesce(max(version), 0) + 1, ?, ?, ?, '{\"accuracy\": 0.7}'::jsonb, now() "
                        + "FROM registry.model_version WHERE name = ? RETURNING version, created_at")) {
            ps.setString(1, name);
            ps.setString(2, format);
            ps.setString(3, sha);
            ps.setBytes(4, artifact);
            ps.setString(5, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                version = rs.getInt(1);
                created = rs.getTimestamp(2).toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register " + name + ": " + e.getMessage(), e);
        }
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.MODELS, name, Json.write(new ModelPublished(name, version, format, sha,
                    Map.of("accuracy", 0.7), created)));
        }
        return new Version(name, version, format, artifact);
    }
}
