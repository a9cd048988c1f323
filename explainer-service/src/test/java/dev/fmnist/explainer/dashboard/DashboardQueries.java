package dev.fmnist.explainer.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The SQL queries of a Grafana dashboard JSON (panels, rows' nested panels, query variables), and running them. */
public final class DashboardQueries {
    /** One query: {@code key} is {@code "<panel title>/<refId>"} or {@code "variable <name>"}. */
    public record Query(String key, String format, String rawSql) {
    }

    /** What a query returned: column labels and rows (timestamps as {@link java.time.Instant}, numbers as double). */
    public record Result(Query query, String sql, List<String> columns, List<List<Object>> rows) {
    }

    private DashboardQueries() {
    }

    public static List<Query> read(Path dashboard) throws IOException {
        return read(new ObjectMapper().readTree(dashboard.toFile()));
    }

    public static List<Query> read(JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        collectPanels(dashboard.path("panels"), out);
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                JsonNode q = v.path("query");
                String sql = q.isTextual() ? q.asText() : q.path("rawSql").asText(q.path("query").asText());
                out.add(new Query("variable " + v.path("name").asText(), "table", sql));
            }
        }
        return out;
    }

    private static void collectPanels(JsonNode panels, List<Query> out) {
        for (JsonNode panel : panels) {
            collectPanels(panel.path("panels"), out);
            for (JsonNode t : panel.path("targets")) {
                if (t.path("rawSql").isMissingNode()) {
                    throw new IllegalArgumentException("panel '" + panel.path("title").asText() + "' target "
                            + t.path("refId").asText() + " has no rawSql");
                }
                out.add(new Query(panel.path("title").asText() + "/" + t.path("refId").asText(),
                        t.path("format").asText("time_series"), t.path("rawSql").asText()));
            }
        }
    }

    /**
     * Runs every query, each in its own statement; collects every failure (expansion or SQL) and throws
     * one {@link AssertionError} naming each failing query, so a broken dashboard is reported in full.
     */
    public static List<Result> runAll(Connection connection, List<Query> queries, GrafanaMacros.Range range,
                                      Map<String, String> variables) {
        List<Result> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Query q : queries) {
            String sql = null;
            try {
                sql = GrafanaMacros.expand(q.rawSql(), range, variables);
                results.add(run(connection, q, sql));
            } catch (IllegalArgumentException | SQLException e) {
                failures.add(q.key() + ": " + e.getMessage() + (sql == null ? "" : "\n  SQL: " + sql));
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " dashboard quer" + (failures.size() == 1 ? "y" : "ies")
                    + " failed:\n" + String.join("\n", failures));
        }
        return results;
    }

    private static Result run(Connection connection, Query q, String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnLabel(i));
            }
            List<List<Object>> rows = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns.size(); i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof Timestamp ts) {
                        v = ts.toInstant();
                    } else if (v instanceof Number n) {
                        v = n.doubleValue();
                    }
                    row.add(v);
                }
                rows.add(row);
            }
            return new Result(q, sql, columns, rows);
        }
    }
}
