package dev.fmnist.runtime.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads model versions from the registry (schema {@code registry}, owned by trainer-service).
 * Only published versions count as "latest"; an exact version is readable once committed, since
 * its announcement on {@code fmnist.models} is sent only after the commit. Every artifact is
 * verified against its SHA-256 before it is returned.
 */
public final class ModelRegistryReader implements ModelSource {
    private static final String COLUMNS = "name, version, format, sha256, artifact, metrics::text, created_at";

    private final DataSource dataSource;

    public ModelRegistryReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The newest published version of a model, if any. */
    public Optional<StoredModel> latest(String name) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM registry.model_version WHERE name = ? AND published_at IS NOT NULL "
                + "ORDER BY version DESC LIMIT 1", name, null);
    }

    /**
     * The number of the newest published version of a model, without reading its artifact: a cheap
     * check whether a newer version exists.
     */
    @Override
    public Optional<Integer> latestVersion(String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT max(version) FROM registry.model_version WHERE name = ? AND published_at IS NOT NULL")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int version = rs.getInt(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(version);
            }
        }
    }

    /** One committed version of a model, if it exists. */
    @Override
    public Optional<StoredModel> version(String name, int version) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM registry.model_version WHERE name = ? AND version = ?", name, version);
    }

    /** Whether trainer-service has created the registry yet (before its first start there is nothing to read). */
    public boolean exists() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT to_regclass('registry.model_version') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private Optional<StoredModel> query(String sql, String name, Integer version) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            if (version != null) {
                ps.setInt(2, version);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                StoredModel model = new StoredModel(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4).trim(),
                        rs.getBytes(5), rs.getString(6), rs.getTimestamp(7).toInstant());
                verify(model);
                return Optional.of(model);
            }
        }
    }

    /** Refuses an artifact whose SHA-256 differs from the recorded one. */
    public static void verify(StoredModel model) {
        String actual = sha256(model.artifact());
        if (!actual.equals(model.sha256())) {
            throw new ModelIntegrityException("artifact of " + model.name() + "/" + model.version()
                    + " has SHA-256 " + actual + " but the registry records " + model.sha256() + ": refusing to load it");
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
