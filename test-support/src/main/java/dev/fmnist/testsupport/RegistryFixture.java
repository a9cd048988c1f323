package dev.fmnist.testsupport;

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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The model registry of the test database, filled the way trainer-service fills it: the schema
 * from common's {@code db/registry} migrations (Flyway, as the trainer runs them), versions inserted
 * committed and published, and announced on {@code fmnist.models}. Models are tiny but real
 * (model-runtime's {@link TestModels}: a template classifier in ONNX for lenet and cnn, a small XGBoost booster).
 */
public final class RegistryFixture {
    /** A registered version with its artifact, and a scorer of it for expected values. */
    public record Version(String name, int version, String format, byte[] artifact) {
        public ModelRef ref() {
            return new ModelRef(name, version);
        }

        public ModelScorer open() {
            return ModelScorers.open(name, version, format, artifact, ScorerOptions.cpu().withThreads(1));
        }
    }

    private static boolean migrated;
    private static final Map<String, Version> standard = new HashMap<>();
    private static LabelledImages training;

    private RegistryFixture() {
    }

    /** Creates the registry schema once per JVM, with the trainer's Flyway settings. */
    public static synchronized void migrate() {
        if (migrated) {
            return;
        }
        PostgresDatabaseTestResource.Database db = PostgresDatabaseTestResource.database();
        Flyway.configure()
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .schemas("registry")
                .defaultSchema("registry")
                .createSchemas(true)
                .locations("classpath:db/registry")
                .load()
                .migrate();
        migrated = true;
    }

    /** Training images of the tiny models. */
    public static synchronized LabelledImages training() {
        if (training == null) {
            training = TestModels.trainingSample(600);
        }
        return training;
    }

    /** A lenet/cnn artifact: the template classifier with a sharpness that tells versions apart. */
    public static byte[] onnx(String name, float sharpness) {
        return TestModels.templateOnnx(name, training(), sharpness);
    }

    /**
     * The standard versions of the named models (of cnn, lenet and xgboost): the version this JVM
     * registered first, or a new one, registered and announced once per JVM.
     */
    public static synchronized Map<String, Version> standardModels(String... names) {
        Map<String, Version> models = new HashMap<>();
        for (String name : names) {
            models.put(name, standard.computeIfAbsent(name, RegistryFixture::publishStandard));
        }
        return Map.copyOf(models);
    }

    private static Version publishStandard(String name) {
        return switch (name) {
            case "lenet" -> publishIfAbsent(name, ModelPublished.FORMAT_ONNX, onnx(name, 10f));
            case "cnn" -> publishIfAbsent(name, ModelPublished.FORMAT_ONNX, onnx(name, 20f));
            case "xgboost" -> publishIfAbsent(name, ModelPublished.FORMAT_XGBOOST_UBJ,
                    TestModels.xgboostUbj(training(), 6, 3));
            case "forest" -> publishIfAbsent(name, ModelPublished.FORMAT_XGBOOST_UBJ,
                    TestModels.forestUbj(training(), 8, 4));
            default -> throw new IllegalArgumentException("no standard model " + name);
        };
    }

    /** The latest published version of a model, or a new one with {@code artifact} if it has none. */
    public static synchronized Version publishIfAbsent(String name, String format, byte[] artifact) {
        migrate();
        try (Connection c = PostgresDatabaseTestResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT version, format, artifact FROM registry.model_version WHERE name = ? AND published_at IS NOT NULL "
                        + "ORDER BY version DESC LIMIT 1")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new Version(name, rs.getInt(1), rs.getString(2), rs.getBytes(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return publish(name, format, artifact);
    }

    /** Registers the next version of {@code name} (committed and published) and announces it on fmnist.models. */
    public static synchronized Version publish(String name, String format, byte[] artifact) {
        migrate();
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
        announce(new ModelPublished(name, version, format, sha, Map.of("accuracy", 0.7), created));
        return new Version(name, version, format, artifact);
    }

    /** Sends a model event as the trainer does (keyed by model name). */
    public static void announce(ModelPublished event) {
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            kafka.send(Topics.MODELS, event.name(), Json.write(event));
        }
    }
}
