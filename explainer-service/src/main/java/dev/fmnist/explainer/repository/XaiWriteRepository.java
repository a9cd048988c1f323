package dev.fmnist.explainer.repository;

import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.ExplanationStatus;
import dev.fmnist.explainer.domain.StoredExplanation;
import dev.fmnist.explainer.domain.WorkItem;
import dev.fmnist.xai.Attribution;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;
import javax.sql.DataSource;

/**
 * The pipeline's side of schema {@code xai}, the only one that writes to it (plain JDBC on the
 * service's pool): idempotent writes of predictions, work items and explanations keyed by request id,
 * model, version (and method), {@code ON CONFLICT DO NOTHING}. The work queue's own statements are in
 * {@link WorkQueueRepository}; the read API has its own read-only queries ({@link XaiQueryRepository}).
 */
@ApplicationScoped
public class XaiWriteRepository {
    private final DataSource dataSource;

    public XaiWriteRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What one batch added: new prediction rows and new work items. */
    public record Added(int predictions, int work) {
    }

    /** Stores predictions in one transaction; ones already stored are left as they are. Returns the rows added. */
    public int storePredictions(List<Prediction> predictions) throws SQLException {
        return storeBatch(predictions, List.of()).predictions();
    }

    /**
     * Stores a batch's predictions and the explanations they ask for as items of the work queue ({@code
     * xai.explanation_work}), in one transaction, committed on return. Predictions already stored are left as
     * they are; an item is added only when neither an item nor an explanation with its key exists (a replayed
     * record adds nothing).
     */
    public Added storeBatch(List<Prediction> predictions, List<WorkItem.New> work) throws SQLException {
        return storeBatch(predictions, null, work);
    }

    /**
     * {@link #storeBatch(List, List)}, each prediction with the {@code traceparent} of the span that stored it
     * ({@code traceparents} in the order of {@code predictions}, null elements allowed; null: none).
     */
    public Added storeBatch(List<Prediction> predictions, List<String> traceparents, List<WorkItem.New> work)
            throws SQLException {
        if (predictions.isEmpty() && work.isEmpty()) {
            return new Added(0, 0);
        }
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                int added = insertPredictions(c, predictions, traceparents);
                int queued = insertWork(c, work);
                c.commit();
                return new Added(added, queued);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /**
     * Predictions per INSERT statement: one statement of many rows, not a JDBC batch of one-row statements. Under
     * load the batch of one-row INSERTs was the explainer's largest cost after parsing (results/benchmarks.md,
     * notes); 13 parameters a row stay far below PostgreSQL's 32,767 per statement.
     */
    static final int ROWS_PER_INSERT = 256;
    private static final String PREDICTION_INSERT = "INSERT INTO xai.prediction (request_id, model_name, "
            + "model_version, label, class_name, confidence, probabilities, image, true_label, explain, latency_ms, "
            + "scored_at, traceparent) VALUES ";
    private static final String PREDICTION_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String FULL_PREDICTION_INSERT = predictionInsert(ROWS_PER_INSERT);

    private static String predictionInsert(int rows) {
        StringBuilder sql = new StringBuilder(PREDICTION_INSERT.length() + rows * (PREDICTION_ROW.length() + 2) + 32)
                .append(PREDICTION_INSERT);
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append(PREDICTION_ROW);
        }
        return sql.append(" ON CONFLICT DO NOTHING").toString();
    }

    private static int insertPredictions(Connection c, List<Prediction> predictions, List<String> traceparents)
            throws SQLException {
        int added = 0;
        for (int from = 0; from < predictions.size(); from += ROWS_PER_INSERT) {
            int rows = Math.min(ROWS_PER_INSERT, predictions.size() - from);
            try (PreparedStatement ps = c.prepareStatement(rows == ROWS_PER_INSERT ? FULL_PREDICTION_INSERT
                    : predictionInsert(rows))) {
                int k = 0;
                for (int i = from; i < from + rows; i++) {
                    Prediction p = predictions.get(i);
                    ps.setString(++k, p.requestId());
                    ps.setString(++k, p.model().name());
                    ps.setInt(++k, p.model().version());
                    ps.setShort(++k, (short) p.label());
                    ps.setString(++k, p.className());
                    ps.setFloat(++k, p.probabilities()[p.label()]);
                    ps.setArray(++k, realArray(c, p.probabilities()));
                    ps.setBytes(++k, p.pixels());
                    if (p.trueLabel() == null) {
                        ps.setNull(++k, Types.SMALLINT);
                    } else {
                        ps.setShort(++k, p.trueLabel().shortValue());
                    }
                    ps.setBoolean(++k, p.explain());
                    ps.setDouble(++k, p.latencyMs());
                    ps.setTimestamp(++k, Timestamp.from(p.scoredAt()));
                    ps.setString(++k, traceparents == null ? null : traceparents.get(i));
                }
                // ON CONFLICT DO NOTHING: the count is of the rows actually inserted, a replayed one adds nothing
                added += ps.executeUpdate();
            }
        }
        return added;
    }

    private static int insertWork(Connection c, List<WorkItem.New> work) throws SQLException {
        if (work.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO xai.explanation_work (request_id, model_name, "
                + "model_version, method, reason, priority, traceparent) SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS ("
                + "SELECT 1 FROM xai.explanation e WHERE e.request_id = ? AND e.model_name = ? AND e.model_version = ? "
                + "AND e.method = ?) ON CONFLICT DO NOTHING")) {
            for (WorkItem.New w : work) {
                ExplanationKey k = w.key();
                ps.setString(1, k.requestId());
                ps.setString(2, k.model().name());
                ps.setInt(3, k.model().version());
                ps.setString(4, k.method());
                ps.setString(5, w.reason());
                ps.setShort(6, w.priority());
                ps.setString(7, w.traceparent());
                ps.setString(8, k.requestId());
                ps.setString(9, k.model().name());
                ps.setInt(10, k.model().version());
                ps.setString(11, k.method());
                ps.addBatch();
            }
            int added = 0;
            for (int n : ps.executeBatch()) {
                added += Math.max(0, n);
            }
            return added;
        }
    }

    /**
     * Stores one explanation (a succeeded one with {@code attribution}, a failed one with {@code
     * error}), committed on return; when the key is stored already, that row is returned unchanged.
     */
    public StoredExplanation storeExplanation(ExplanationKey key, String reason, int targetClass, Attribution a,
                                              String error) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return insertExplanation(c, key, reason, targetClass, a, error);
        }
    }

    /**
     * Inserts one explanation on {@code c} (in its transaction, if one is open); when the key is stored already
     * (V1's unique key), that row is returned unchanged and nothing is written.
     */
    static StoredExplanation insertExplanation(Connection c, ExplanationKey key, String reason, int targetClass,
                                               Attribution a, String error) throws SQLException {
        ExplanationStatus status = a == null ? ExplanationStatus.FAILED : ExplanationStatus.SUCCEEDED;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO xai.explanation (request_id, model_name, "
                + "model_version, method, reason, status, error, target_class, attributions, segment_weights, segments, "
                + "base_value, full_value, intercept, lime_r2, efficiency_gap, deletion_curve, deletion_area, samples, "
                + "elapsed_ms, output_space, segmentation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                + "?, ?, ?) "
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
                // a failed explanation has no values, so no output space either (V5's check)
                for (int i = 9; i <= 22; i++) {
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
                ps.setString(21, a.outputSpace() == null ? null : a.outputSpace().column());
                ps.setString(22, a.segmentation());
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
