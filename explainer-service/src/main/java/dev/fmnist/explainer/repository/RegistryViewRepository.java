package dev.fmnist.explainer.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.explainer.domain.ModelReport;
import dev.fmnist.explainer.domain.ModelVersionSummary;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Read-only views of the model registry (schema {@code registry}, owned and written by
 * trainer-service) for the web page: published versions only, artifacts never read here.
 */
@ApplicationScoped
public class RegistryViewRepository {
    private static final List<String> CLASS_NAMES = Arrays.stream(FashionClass.values())
            .map(FashionClass::displayName).toList();

    private final DataSource dataSource;
    private final ModelRegistryReader reader;

    public RegistryViewRepository(DataSource dataSource) {
        this.dataSource = dataSource;
        this.reader = new ModelRegistryReader(dataSource);
    }

    /** Every published version, newest first per model, with its test accuracy. */
    public List<ModelVersionSummary> versions() throws SQLException {
        List<ModelVersionSummary> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT m.name, m.version, m.format, m.created_at, "
                        + "m.version = max(m.version) OVER (PARTITION BY m.name), e.accuracy "
                        + "FROM registry.model_version m LEFT JOIN registry.evaluation e "
                        + "ON e.name = m.name AND e.version = m.version AND e.split = 'test' "
                        + "WHERE m.published_at IS NOT NULL ORDER BY m.name, m.version DESC")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    int version = rs.getInt(2);
                    out.add(new ModelVersionSummary(name, version, rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getBoolean(5), (Double) rs.getObject(6), "/api/models/" + name + "/" + version));
                }
            }
        }
        return out;
    }

    /** The newest published version of a model, if any (common's registry reader answers it). */
    public Optional<Integer> latestVersion(String name) throws SQLException {
        return reader.latestVersion(name);
    }

    /**
     * A published version with its evaluations and training epochs; {@code live} and {@code
     * importance} are left for the caller (they come from elsewhere).
     */
    public Optional<ModelReport> report(String name, int version) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String format;
            java.time.Instant created;
            JsonNode metrics;
            JsonNode params;
            UUID runId;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT format, created_at, metrics::text, params::text, training_run_id FROM registry.model_version "
                            + "WHERE name = ? AND version = ? AND published_at IS NOT NULL")) {
                ps.setString(1, name);
                ps.setInt(2, version);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    format = rs.getString(1);
                    created = rs.getTimestamp(2).toInstant();
                    metrics = json(rs.getString(3));
                    params = json(rs.getString(4));
                    runId = rs.getObject(5, UUID.class);
                }
            }
            return Optional.of(new ModelReport(name, version, format, created, CLASS_NAMES, metrics, params,
                    evaluations(c, name, version), runId == null ? List.of() : epochs(c, runId), null, null));
        }
    }

    private static List<ModelReport.Evaluation> evaluations(Connection c, String name, int version) throws SQLException {
        List<ModelReport.Evaluation> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT split, images, accuracy, per_class_accuracy, confusion_matrix::text FROM registry.evaluation "
                        + "WHERE name = ? AND version = ? ORDER BY array_position(ARRAY['test', 'validation', 'train'], split)")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array perClass = rs.getArray(4);
                    int[][] confusion;
                    try {
                        confusion = Json.mapper().readValue(rs.getString(5), int[][].class);
                    } catch (JsonProcessingException e) {
                        throw new SQLException("unreadable confusion matrix of " + name + "/" + version, e);
                    }
                    out.add(new ModelReport.Evaluation(rs.getString(1), rs.getInt(2), rs.getDouble(3),
                            (Double[]) perClass.getArray(), confusion));
                }
            }
        }
        return out;
    }

    private static List<ModelReport.Epoch> epochs(Connection c, UUID runId) throws SQLException {
        List<ModelReport.Epoch> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT epoch, train_loss, train_accuracy, validation_loss, validation_accuracy, learning_rate, seconds, "
                        + "images_per_second FROM registry.training_epoch WHERE run_id = ? ORDER BY epoch")) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ModelReport.Epoch(rs.getInt(1), (Double) rs.getObject(2), (Double) rs.getObject(3),
                            (Double) rs.getObject(4), (Double) rs.getObject(5), (Double) rs.getObject(6),
                            (Double) rs.getObject(7), (Double) rs.getObject(8)));
                }
            }
        }
        return out;
    }

    private static JsonNode json(String text) throws SQLException {
        try {
            return Json.mapper().readTree(text == null ? "{}" : text);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable JSON in the registry: " + e.getMessage(), e);
        }
    }
}
