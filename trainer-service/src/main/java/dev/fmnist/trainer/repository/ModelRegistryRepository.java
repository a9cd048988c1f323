package dev.fmnist.trainer.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.evaluation.Evaluation;
import javax.sql.DataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Writes and reads the model registry (schema {@code registry}) with plain JDBC. */
@ApplicationScoped
public class ModelRegistryRepository {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final DataSource dataSource;
    private final ModelRegistryReader reader;

    public ModelRegistryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
        this.reader = new ModelRegistryReader(dataSource);
    }

    /** A model version about to be registered. */
    public record NewVersion(String name, String format, java.util.function.IntFunction<byte[]> artifactForVersion,
                             Map<String, Object> metrics,
                             Map<String, Object> params, UUID trainingRunId, List<Evaluation> evaluations) {
    }

    /** A registered version without its artifact. */
    public record VersionInfo(String name, int version, String format, String sha256, Map<String, Object> metrics,
                              Map<String, Object> params, UUID trainingRunId, Instant createdAt, Instant publishedAt,
                              int artifactBytes) {
    }

    /**
     * Registers a new version, artifact, metrics and evaluations in one transaction, and returns it.
     * Concurrent registrations of one model are serialised by an advisory lock, so versions are
     * consecutive. The version is not yet published: see {@link #markPublished}.
     */
    public VersionInfo register(NewVersion v) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "registry.model_version:" + v.name());
                    lock.executeQuery().close();
                }
                int version;
                try (PreparedStatement next = c.prepareStatement(
                        "SELECT coalesce(max(version), 0) + 1 FROM registry.model_version WHERE name = ?")) {
                    next.setString(1, v.name());
                    try (ResultSet rs = next.executeQuery()) {
                        rs.next();
                        version = rs.getInt(1);
                    }
                }
                byte[] artifact = v.artifactForVersion().apply(version);
                String sha = ModelRegistryReader.sha256(artifact);
                Instant created;
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO registry.model_version (name, version, format, sha256, artifact, metrics, params, "
                                + "training_run_id) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?) RETURNING created_at")) {
                    insert.setString(1, v.name());
                    insert.setInt(2, version);
                    insert.setString(3, v.format());
                    insert.setString(4, sha);
                    insert.setBytes(5, artifact);
                    insert.setString(6, Json.writeString(v.metrics()));
                    insert.setString(7, Json.writeString(v.params()));
                    insert.setObject(8, v.trainingRunId());
                    try (ResultSet rs = insert.executeQuery()) {
                        rs.next();
                        created = rs.getTimestamp(1).toInstant();
                    }
                }
                try (PreparedStatement eval = c.prepareStatement(
                        "INSERT INTO registry.evaluation (name, version, split, accuracy, per_class_accuracy, "
                                + "confusion_matrix, images) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)")) {
                    for (Evaluation e : v.evaluations()) {
                        eval.setString(1, v.name());
                        eval.setInt(2, version);
                        eval.setString(3, e.split());
                        eval.setDouble(4, e.accuracy());
                        Double[] perClass = new Double[e.perClassAccuracy().length];
                        for (int i = 0; i < perClass.length; i++) {
                            perClass[i] = e.perClassAccuracy()[i];
                        }
                        eval.setArray(5, c.createArrayOf("float8", perClass));
                        eval.setString(6, Json.writeString(e.confusionMatrix()));
                        eval.setInt(7, e.images());
                        eval.addBatch();
                    }
                    eval.executeBatch();
                }
                c.commit();
                return new VersionInfo(v.name(), version, v.format(), sha, v.metrics(), v.params(), v.trainingRunId(),
                        created, null, artifact.length);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Records that a version was announced on Kafka: from now on it is the model's latest. */
    public void markPublished(String name, int version) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE registry.model_version SET published_at = now() WHERE name = ? AND version = ?")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            ps.executeUpdate();
        }
    }

    /** Removes a version that could not be announced, so no half-published version remains. */
    public void deleteUnpublished(String name, int version) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM registry.model_version WHERE name = ? AND version = ? AND published_at IS NULL")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            ps.executeUpdate();
        }
    }

    public List<VersionInfo> list() throws SQLException {
        return infos("SELECT name, version, format, sha256, metrics::text, params::text, training_run_id, created_at, "
                + "published_at, octet_length(artifact) FROM registry.model_version ORDER BY name, version DESC", null, null);
    }

    public Optional<VersionInfo> info(String name, int version) throws SQLException {
        return infos("SELECT name, version, format, sha256, metrics::text, params::text, training_run_id, created_at, "
                + "published_at, octet_length(artifact) FROM registry.model_version WHERE name = ? AND version = ?",
                name, version).stream().findFirst();
    }

    private List<VersionInfo> infos(String sql, String name, Integer version) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (name != null) {
                ps.setString(1, name);
                ps.setInt(2, version);
            }
            List<VersionInfo> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp published = rs.getTimestamp(9);
                    out.add(new VersionInfo(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4).trim(),
                            readMap(rs.getString(5)), readMap(rs.getString(6)), rs.getObject(7, UUID.class),
                            rs.getTimestamp(8).toInstant(), published == null ? null : published.toInstant(), rs.getInt(10)));
                }
            }
            return out;
        }
    }

    /** The stored evaluations of a version, by split. */
    public Map<String, Evaluation> evaluations(String name, int version) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT split, accuracy, per_class_accuracy, confusion_matrix::text, images FROM registry.evaluation "
                        + "WHERE name = ? AND version = ? ORDER BY split")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            Map<String, Evaluation> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array arr = rs.getArray(3);
                    Double[] boxed = (Double[]) arr.getArray();
                    double[] perClass = new double[boxed.length];
                    for (int i = 0; i < boxed.length; i++) {
                        perClass[i] = boxed[i] == null ? Double.NaN : boxed[i];
                    }
                    int[][] confusion = Json.mapper().readValue(rs.getString(4), int[][].class);
                    out.put(rs.getString(1), new Evaluation(rs.getString(1), rs.getInt(5), rs.getDouble(2), perClass, confusion));
                }
            } catch (java.io.IOException e) {
                throw new SQLException("unreadable confusion matrix of " + name + "/" + version, e);
            }
            return out;
        }
    }

    /** A version with its verified artifact. */
    public Optional<StoredModel> artifact(String name, int version) throws SQLException {
        return reader.version(name, version);
    }

    public Optional<StoredModel> latest(String name) throws SQLException {
        return reader.latest(name);
    }

    // ---- training runs ----

    public void createRun(UUID id, String model, Map<String, Object> params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO registry.training_run (id, model_name, state, params) VALUES (?, ?, 'running', ?::jsonb)")) {
            ps.setObject(1, id);
            ps.setString(2, model);
            ps.setString(3, Json.writeString(params));
            ps.executeUpdate();
        }
    }

    public void finishRun(UUID id, String state, String error) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE registry.training_run SET state = ?, error = ?, finished_at = now() WHERE id = ?")) {
            ps.setString(1, state);
            ps.setString(2, error);
            ps.setObject(3, id);
            ps.executeUpdate();
        }
    }

    public void addEpoch(UUID runId, EpochMetrics m) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO registry.training_epoch (run_id, epoch, train_loss, train_accuracy, validation_loss, "
                        + "validation_accuracy, learning_rate, seconds, images_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING")) {
            ps.setObject(1, runId);
            ps.setInt(2, m.epoch());
            setDouble(ps, 3, m.trainLoss());
            setDouble(ps, 4, m.trainAccuracy());
            setDouble(ps, 5, m.validationLoss());
            setDouble(ps, 6, m.validationAccuracy());
            setDouble(ps, 7, m.learningRate());
            setDouble(ps, 8, m.seconds());
            setDouble(ps, 9, m.imagesPerSecond());
            ps.executeUpdate();
        }
    }

    public List<EpochMetrics> epochs(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT epoch, train_loss, train_accuracy, validation_loss, validation_accuracy, learning_rate, seconds, "
                        + "images_per_second FROM registry.training_epoch WHERE run_id = ? ORDER BY epoch")) {
            ps.setObject(1, runId);
            List<EpochMetrics> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EpochMetrics(rs.getInt(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4),
                            rs.getDouble(5), rs.getDouble(6), rs.getDouble(7), rs.getDouble(8)));
                }
            }
            return out;
        }
    }

    private static void setDouble(PreparedStatement ps, int i, double v) throws SQLException {
        if (Double.isFinite(v)) {
            ps.setDouble(i, v);
        } else {
            ps.setNull(i, java.sql.Types.DOUBLE);
        }
    }

    private static Map<String, Object> readMap(String json) {
        try {
            return json == null ? Map.of() : Json.mapper().readValue(json, MAP);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable JSON in the registry", e);
        }
    }
}
