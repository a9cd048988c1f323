package dev.fmnist.explainer.repository;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.explainer.domain.ClassMeanAttribution;
import dev.fmnist.explainer.domain.ExplanationDetail;
import dev.fmnist.explainer.domain.ExplanationSummary;
import dev.fmnist.explainer.domain.LiveAccuracy;
import dev.fmnist.explainer.domain.MeanAttributions;
import dev.fmnist.explainer.domain.Page;
import dev.fmnist.explainer.domain.PredictionDetail;
import dev.fmnist.explainer.domain.PredictionQuery;
import dev.fmnist.explainer.domain.PredictionSummary;
import dev.fmnist.explainer.domain.WorkItem;
import dev.fmnist.xai.SegmentWeights;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The read side of schema {@code xai} (the REST API, heatmaps and web page): read-only queries in
 * plain JDBC on the service's pool, built from fixed SQL fragments with bind parameters only. Every
 * write belongs to the pipeline ({@link XaiWriteRepository}).
 */
@ApplicationScoped
public class XaiQueryRepository {
    private static final String EXPLANATION_SUMMARY_COLUMNS = "e.id, e.request_id, e.model_name, e.model_version, "
            + "e.method, e.reason, e.status, e.error, e.target_class, e.base_value, e.full_value, e.intercept, e.lime_r2, "
            + "e.efficiency_gap, e.deletion_area, e.samples, e.elapsed_ms, e.created_at, e.output_space, e.segmentation";

    private final DataSource dataSource;

    public XaiQueryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Predictions matching {@code q}, newest first. */
    public Page<PredictionSummary> predictions(PredictionQuery q) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE true");
        List<Object> binds = new ArrayList<>();
        if (q.model() != null) {
            where.append(" AND p.model_name = ?");
            binds.add(q.model());
        }
        if (q.label() != null) {
            where.append(" AND p.label = ?");
            binds.add(q.label().shortValue());
        }
        if (q.correct() != null) {
            where.append(" AND p.true_label IS NOT NULL AND (p.true_label = p.label) = ?");
            binds.add(q.correct());
        }
        if (q.minConfidence() != null) {
            where.append(" AND p.confidence >= ?");
            binds.add(q.minConfidence());
        }
        if (q.maxConfidence() != null) {
            where.append(" AND p.confidence <= ?");
            binds.add(q.maxConfidence());
        }
        try (Connection c = dataSource.getConnection()) {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM xai.prediction p" + where)) {
                bind(ps, binds);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<PredictionSummary> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT p.request_id, p.model_name, p.model_version, p.label, "
                    + "p.class_name, p.confidence, p.true_label, p.explain, p.latency_ms, p.scored_at, "
                    + "(SELECT count(*) FROM xai.explanation e WHERE e.request_id = p.request_id "
                    + "AND e.model_name = p.model_name AND e.model_version = p.model_version), "
                    + "(SELECT count(*) FROM xai.explanation_work w WHERE w.request_id = p.request_id "
                    + "AND w.model_name = p.model_name AND w.model_version = p.model_version AND w.state = 'queued') "
                    + "FROM xai.prediction p" + where
                    + " ORDER BY p.scored_at DESC, p.request_id, p.model_name, p.model_version LIMIT ? OFFSET ?")) {
                List<Object> all = new ArrayList<>(binds);
                all.add(q.size());
                all.add(q.offset());
                bind(ps, all);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int label = rs.getShort(4);
                        Integer trueLabel = nullableShort(rs, 7);
                        items.add(new PredictionSummary(rs.getString(1), rs.getString(2), rs.getInt(3), label,
                                rs.getString(5), rs.getFloat(6), trueLabel, trueLabel == null ? null : trueLabel == label,
                                rs.getBoolean(8), rs.getDouble(9), rs.getTimestamp(10).toInstant(), rs.getInt(11),
                                rs.getInt(12)));
                    }
                }
            }
            return new Page<>(q.page(), q.size(), total, items);
        }
    }

    /** Every stored prediction of one request (one per model and version). */
    public List<PredictionDetail> predictionsOf(String requestId) throws SQLException {
        List<PredictionDetail> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT request_id, model_name, model_version, label, class_name, confidence, probabilities, true_label, "
                        + "explain, latency_ms, scored_at, stored_at, image FROM xai.prediction WHERE request_id = ? "
                        + "ORDER BY model_name, model_version")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int label = rs.getShort(4);
                    Integer trueLabel = nullableShort(rs, 8);
                    out.add(new PredictionDetail(rs.getString(1), rs.getString(2), rs.getInt(3), label, rs.getString(5),
                            rs.getFloat(6), floats(rs.getArray(7)), trueLabel, trueLabel == null ? null : trueLabel == label,
                            rs.getBoolean(9), rs.getDouble(10), rs.getTimestamp(11).toInstant(),
                            rs.getTimestamp(12).toInstant(), Pixels.toBase64(rs.getBytes(13))));
                }
            }
        }
        return out;
    }

    /**
     * The explanations of one request still in the work queue: {@code pending} (waiting for a worker) or
     * {@code running} (a worker holds it under lease). Explanations stored but not yet announced are stored,
     * so they are among {@link #explanationsOf} and not here.
     */
    public List<WorkItem.Pending> pendingOf(String requestId) throws SQLException {
        List<WorkItem.Pending> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT model_name, model_version, method, reason, lease_until > now(), queued_at, attempts "
                        + "FROM xai.explanation_work WHERE request_id = ? AND state = 'queued' "
                        + "ORDER BY model_name, model_version, method")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new WorkItem.Pending(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                            rs.getBoolean(5) ? "running" : "pending", rs.getTimestamp(6).toInstant(), rs.getInt(7)));
                }
            }
        }
        return out;
    }

    /** The explanations of one request, without their arrays. */
    public List<ExplanationSummary> explanationsOf(String requestId) throws SQLException {
        List<ExplanationSummary> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + EXPLANATION_SUMMARY_COLUMNS + " FROM xai.explanation e WHERE e.request_id = ? "
                        + "ORDER BY e.model_name, e.model_version, e.method")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(summary(rs));
                }
            }
        }
        return out;
    }

    /** The segment weights of the succeeded explanations of one request, by model, version and method. */
    public List<SegmentWeights> segmentWeightsOf(String requestId) throws SQLException {
        List<SegmentWeights> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT model_name, model_version, method, segment_weights, output_space FROM xai.explanation "
                        + "WHERE request_id = ? AND status = 'succeeded' AND segment_weights IS NOT NULL "
                        + "ORDER BY model_name, model_version, method")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SegmentWeights(rs.getString(1), rs.getInt(2), rs.getString(3), floats(rs.getArray(4)),
                            rs.getString(5)));
                }
            }
        }
        return out;
    }

    /** The 784 pixels the models saw for one request (the same for every model), if it is stored. */
    public Optional<byte[]> imageOf(String requestId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT image FROM xai.prediction WHERE request_id = ? ORDER BY model_name, model_version LIMIT 1")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    /**
     * Accuracy of one model version on the labelled traffic stored so far: predictions and correct
     * ones per true class (index = true label).
     */
    public LiveAccuracy liveAccuracy(String model, int version) throws SQLException {
        long[] total = new long[FashionClass.values().length];
        long[] correct = new long[total.length];
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT true_label, count(*), count(*) FILTER (WHERE label = true_label) FROM xai.prediction "
                        + "WHERE model_name = ? AND model_version = ? AND true_label IS NOT NULL GROUP BY true_label")) {
            ps.setString(1, model);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int k = rs.getShort(1);
                    total[k] = rs.getLong(2);
                    correct[k] = rs.getLong(3);
                }
            }
        }
        return LiveAccuracy.of(total, correct);
    }

    /** One explanation in full, with the image of its prediction. */
    public Optional<ExplanationDetail> explanation(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + EXPLANATION_SUMMARY_COLUMNS + ", e.segments, e.segment_weights, e.attributions, "
                        + "e.deletion_curve, p.image FROM xai.explanation e JOIN xai.prediction p "
                        + "ON p.request_id = e.request_id AND p.model_name = e.model_name "
                        + "AND p.model_version = e.model_version WHERE e.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ExplanationDetail(summary(rs), shorts(rs.getArray(21)), floats(rs.getArray(22)),
                        floats(rs.getArray(23)), floats(rs.getArray(24)), Pixels.toBase64(rs.getBytes(25))));
            }
        }
    }

    /**
     * Mean |attribution| per pixel and target class over the succeeded explanations of {@code model}
     * and {@code method} ({@code version} null: every version), computed in PostgreSQL.
     */
    public MeanAttributions meanAttributions(String model, Integer version, String method) throws SQLException {
        String where = " WHERE e.model_name = ? AND e.method = ? AND e.status = 'succeeded' AND e.attributions IS NOT NULL"
                + (version == null ? "" : " AND e.model_version = ?");
        long[] counts = new long[FashionClass.COUNT];
        float[][] means = new float[FashionClass.COUNT][Pixels.COUNT];
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT e.target_class, count(*) FROM xai.explanation e"
                    + where + " GROUP BY 1")) {
                bindModel(ps, model, method, version);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts[rs.getShort(1)] = rs.getLong(2);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT e.target_class, a.i, avg(abs(a.v)) FROM xai.explanation e "
                    + "CROSS JOIN LATERAL unnest(e.attributions) WITH ORDINALITY AS a(v, i)" + where + " GROUP BY 1, 2")) {
                bindModel(ps, model, method, version);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int pixel = rs.getInt(2) - 1;
                        if (pixel >= 0 && pixel < Pixels.COUNT) {
                            means[rs.getShort(1)][pixel] = (float) rs.getDouble(3);
                        }
                    }
                }
            }
        }
        List<ClassMeanAttribution> classes = new ArrayList<>();
        long total = 0;
        for (int k = 0; k < FashionClass.COUNT; k++) {
            classes.add(new ClassMeanAttribution(k, FashionClass.ofLabel(k).displayName(), counts[k], means[k]));
            total += counts[k];
        }
        return new MeanAttributions(model, version, method, total, classes);
    }

    private static void bindModel(PreparedStatement ps, String model, String method, Integer version)
            throws SQLException {
        ps.setString(1, model);
        ps.setString(2, method);
        if (version != null) {
            ps.setInt(3, version);
        }
    }

    private static ExplanationSummary summary(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        int target = rs.getShort(9);
        return new ExplanationSummary(id, rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), target, FashionClass.ofLabel(target).displayName(),
                nullableDouble(rs, 10), nullableDouble(rs, 11), nullableDouble(rs, 12), nullableDouble(rs, 13),
                nullableDouble(rs, 14), nullableDouble(rs, 15), nullableInt(rs, 16), nullableDouble(rs, 17),
                rs.getTimestamp(18).toInstant(), rs.getString(19), rs.getString(20), "/api/explanations/" + id,
                "/api/explanations/" + id + "/heatmap.png", "/api/explanations/" + id + "/outline.png");
    }

    // ---- JDBC helpers ----

    private static void bind(PreparedStatement ps, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            int n = i + 1;
            if (v instanceof String s) {
                ps.setString(n, s);
            } else if (v instanceof Short s) {
                ps.setShort(n, s);
            } else if (v instanceof Integer x) {
                ps.setInt(n, x);
            } else if (v instanceof Long x) {
                ps.setLong(n, x);
            } else if (v instanceof Float f) {
                ps.setFloat(n, f); // real against the real column: 0.9 matches a stored 0.9
            } else if (v instanceof Boolean b) {
                ps.setBoolean(n, b);
            } else {
                throw new IllegalArgumentException("cannot bind " + v);
            }
        }
    }

    private static float[] floats(Array array) throws SQLException {
        if (array == null) {
            return null;
        }
        Object[] values = (Object[]) array.getArray();
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).floatValue();
        }
        return out;
    }

    private static short[] shorts(Array array) throws SQLException {
        if (array == null) {
            return null;
        }
        Object[] values = (Object[]) array.getArray();
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).shortValue();
        }
        return out;
    }

    private static Integer nullableShort(ResultSet rs, int i) throws SQLException {
        short v = rs.getShort(i);
        return rs.wasNull() ? null : (int) v;
    }

    private static Integer nullableInt(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }

    private static Double nullableDouble(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }
}
