package dev.fmnist.explainer;

import dev.fmnist.common.FashionClass;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;

/** Rows written straight to schema xai, for the read-side tests. */
final class XaiRows {
    private XaiRows() {
    }

    /** One stored prediction of {@code label}, with {@code probabilities[label]} as its confidence. */
    static void insertPrediction(Connection c, String id, String model, int version, int label, Integer trueLabel,
                                 float[] probabilities, byte[] image, boolean explain, Instant scoredAt) throws Exception {
        Float[] boxed = new Float[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            boxed[i] = probabilities[i];
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO xai.prediction (request_id, model_name, model_version, "
                + "label, class_name, confidence, probabilities, image, true_label, explain, latency_ms, scored_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 2.5, ?)")) {
            ps.setString(1, id);
            ps.setString(2, model);
            ps.setInt(3, version);
            ps.setShort(4, (short) label);
            ps.setString(5, FashionClass.ofLabel(label).displayName());
            ps.setFloat(6, probabilities[label]);
            ps.setArray(7, c.createArrayOf("real", boxed));
            ps.setBytes(8, image);
            if (trueLabel == null) {
                ps.setNull(9, java.sql.Types.SMALLINT);
            } else {
                ps.setShort(9, trueLabel.shortValue());
            }
            ps.setBoolean(10, explain);
            ps.setTimestamp(11, Timestamp.from(scoredAt));
            ps.executeUpdate();
        }
    }
}
