package dev.fmnist.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * A fresh database on the real PostgreSQL server for each test run, dropped at the end.
 * Server and user come from {@code FMNIST_TEST_PG_URL} (an admin JDBC URL, default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}) and {@code FMNIST_TEST_PG_USER} (default
 * {@code postgres}, trust authentication). Set {@code FMNIST_TEST_PG_KEEP=true} to keep the database.
 */
public class PostgresDatabaseTestResource implements QuarkusTestResourceLifecycleManager {
    private static final Logger LOG = Logger.getLogger(PostgresDatabaseTestResource.class);

    private static Database database;

    /** Connection settings of the test database. */
    public record Database(String name, String jdbcUrl, String user, String password) {
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, user, password);
        }
    }

    @Override
    public Map<String, String> start() {
        Database db = database();
        return Map.of(
                "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                "quarkus.datasource.username", db.user(),
                "quarkus.datasource.password", db.password());
    }

    @Override
    public void stop() {
        // dropped once, at JVM exit, so several Quarkus applications of one run can share it
    }

    public static synchronized Database database() {
        if (database == null) {
            database = create();
            Database created = database;
            if (!Boolean.parseBoolean(env("FMNIST_TEST_PG_KEEP", "false"))) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(created), "pg-test-db-drop"));
            }
        }
        return database;
    }

    /** A database of its own, not the shared one (e.g. for a stack that must start on an empty registry); dropped at exit. */
    public static Database freshDatabase() {
        Database created = create();
        if (!Boolean.parseBoolean(env("FMNIST_TEST_PG_KEEP", "false"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(created), "pg-test-db-drop"));
        }
        return created;
    }

    private static String adminUrl() {
        return env("FMNIST_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    }

    private static Database create() {
        String admin = adminUrl();
        String user = env("FMNIST_TEST_PG_USER", "postgres");
        String password = env("FMNIST_TEST_PG_PASSWORD", "");
        String name = "fmnist_test_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"))
                + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
        try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database on PostgreSQL at " + admin + " as user '"
                    + user + "': " + e.getMessage() + ". Start the server (pg_ctlcluster 15 main start) or point "
                    + "FMNIST_TEST_PG_URL / FMNIST_TEST_PG_USER at one.", e);
        }
        int slash = admin.lastIndexOf('/');
        int query = admin.indexOf('?', slash);
        String url = admin.substring(0, slash + 1) + name + (query < 0 ? "" : admin.substring(query));
        LOG.infof("Test database %s created", url);
        return new Database(name, url, user, password);
    }

    private static void drop(Database db) {
        try (Connection c = DriverManager.getConnection(adminUrl(), db.user(), db.password());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
        } catch (SQLException e) {
            LOG.warnf("could not drop test database %s: %s", db.name(), e.getMessage());
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
