package dev.fmnist.explainer.repository;

import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.ExplanationStatus;
import dev.fmnist.explainer.domain.StoredExplanation;
import dev.fmnist.xai.Attribution;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The pipeline's side of schema {@code xai}, the only one that writes to it (plain JDBC on the
 * service's pool): idempotent writes of predictions and explanations keyed by request id, model,
 * version (and method), {@code ON CONFLICT DO NOTHING}, and the look-up of the explanations stored
 * already that keeps a replayed batch from explaining twice. The read API has its own read-only
 * queries ({@link XaiQueryRepository}).
 */
@ApplicationScoped
public class XaiWriteRepository {
    private final DataSource dataSource;

    public XaiWriteRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores predictions in one transaction; ones already stored are left as they are. Returns the rows added. */
    public int storePredictions(List<Prediction> predictions) throws SQLException {
        if (predictions.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO xai.prediction (request_id, model_name, "
                    + "model_version, label, class_name, confidence, probabilities, image, true_label, explain, latency_ms, "
                    + "scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (Prediction p : predictions) {
                    ps.setString(1, p.requestId());
                    ps.setString(2, p.model().name());
                    ps.setInt(3, p.model().version());
                    ps.setShort(4, (short) p.label());
                    ps.setString(5, p.className());
                    ps.setFloat(6, p.probabilities()[p.label()]);
                    ps.setArray(7, realArray(c, p.probabilities()));
                    ps.setBytes(8, p.pixels());
                    if (p.trueLabel() == null) {
                        ps.setNull(9, Types.SMALLINT);
                    } else {
                        ps.setShort(9, p.trueLabel().shortValue());
                    }
                    ps.setBoolean(10, p.explain());
                    ps.setDouble(11, p.latencyMs());
                    ps.setTimestamp(12, Timestamp.from(p.scoredAt()));
                    ps.addBatch();
                }
                int added = 0;
                for (int n : ps.executeBatch()) {
                    added += Math.max(0, n);
                }
                c.commit();
                return added;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** The explanations among {@code keys} that are stored already. */
    public Map<ExplanationKey, StoredExplanation> existing(Collection<ExplanationKey> keys) throws SQLException {
        Map<ExplanationKey, StoredExplanation> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        Set<String> ids = new LinkedHashSet<>();
        keys.forEach(k -> ids.add(k.requestId()));
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT request_id, model_name, model_version, method, id, status FROM xai.explanation "
                        + "WHERE request_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ExplanationKey key = new ExplanationKey(rs.getString(1), new ModelRef(rs.getString(2), rs.getInt(3)),
                            rs.getString(4));
                    if (keys.contains(key)) {
                        out.put(key, new StoredExplanation(rs.getLong(5), ExplanationStatus.ofColumn(rs.getString(6))));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Stores one explanation (a succeeded one with {@code attribution}, a failed one with {@code
     * error}), committed on return; when the key is stored already, that row is returned unchanged.
     */
    public StoredExplanation storeExplanation(ExplanationKey key, String reason, int targetClass, Attribution a,
                                              String error) throws SQLException {
        ExplanationStatus status = a == null ? ExplanationStatus.FAILED : ExplanationStatus.SUCCEEDED;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO xai.explanation (request_id, model_name, "
                    + "model_version, method, reason, status, error, target_class, attributions, segment_weights, segments, "
                    + "base_value, full_value, intercept, lime_r2, efficiency_gap, deletion_curve, deletion_area, samples, "
                    + "elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (request_id, model_name, model_version, method) DO NOTHING RETURNING id")) {
                ps.setString(1, key.requestId());
                ps.setString(2, key.model().name());
                ps.setInt(3, key.model().version());
                ps.setString(4, key.method());
                ps.setString(5, reason);
                ps.setString(6, status.column());
                ps.setString(7, error);
                ps.setShort(8, (short) targetClass);
                if (a == null) {
                    for (int i = 9; i <= 20; i++) {
                        ps.setNull(i, Types.NULL);
                    }
                } else {
                    ps.setArray(9, realArray(c, a.attributions()));
                    ps.setArray(10, realArray(c, a.segmentWeights()));
                    ps.setArray(11, smallintArray(c, a.segments()));
                    setDouble(ps, 12, a.baseValue());
                    setDouble(ps, 13, a.fullValue());
                    setDouble(ps, 14, a.intercept());
                    setDouble(ps, 15, a.limeR2());
                    setDouble(ps, 16, a.efficiencyGap());
                    if (a.deletionCurve() == null) {
                        ps.setNull(17, Types.ARRAY);
                    } else {
                        ps.setArray(17, realArray(c, a.deletionCurve()));
                    }
                    setDouble(ps, 18, a.deletionArea());
                    ps.setInt(19, a.samples());
                    ps.setDouble(20, a.elapsedMs());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new StoredExplanation(rs.getLong(1), status);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, status FROM xai.explanation WHERE request_id = ? "
                    + "AND model_name = ? AND model_version = ? AND method = ?")) {
                ps.setString(1, key.requestId());
                ps.setString(2, key.model().name());
                ps.setInt(3, key.model().version());
                ps.setString(4, key.method());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("explanation " + key + " was neither inserted nor found");
                    }
                    return new StoredExplanation(rs.getLong(1), ExplanationStatus.ofColumn(rs.getString(2)));
                }
            }
        }
    }

    // ---- JDBC helpers ----

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null || !Double.isFinite(v)) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    static Array realArray(Connection c, float[] values) throws SQLException {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return c.createArrayOf("real", boxed);
    }

    static Array smallintArray(Connection c, short[] values) throws SQLException {
        Short[] boxed = new Short[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return c.createArrayOf("smallint", boxed);
    }
}
