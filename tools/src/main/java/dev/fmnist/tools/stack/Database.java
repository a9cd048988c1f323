package dev.fmnist.tools.stack;

import static dev.fmnist.tools.stack.Say.say;

import dev.fmnist.launcher.KafkaBrokerProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** The stack's PostgreSQL database: the one QUARKUS_DATASOURCE_JDBC_URL names, or 'fmnist' on the local server, created when missing. */
final class Database {
    private Database() {
    }

    /** Returns the JDBC URL of the services; creates the database on the local server when missing ({@code reset}: drops it first). */
    static String prepare(StackSettings s, boolean reset) {
        String configured = s.env.get("QUARKUS_DATASOURCE_JDBC_URL");
        if (configured != null && !configured.isBlank()) {
            say("PostgreSQL: " + configured + " (from QUARKUS_DATASOURCE_JDBC_URL)");
            if (reset) {
                say("PostgreSQL: --reset leaves a database you configured alone (drop its schemas registry and xai to start clean)");
            }
            return configured;
        }
        String host = StackSettings.PG_HOST;
        int port = StackSettings.PG_PORT;
        String db = s.pgDatabase;
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        if (!KafkaBrokerProcess.portOpen(port)) {
            throw new StackException("PostgreSQL is not reachable at " + host + ":" + port + ".",
                    "Provide one of:",
                    "  - a local PostgreSQL server on " + host + ":" + port + " where user 'postgres' may log in without a",
                    "    password (e.g. 'sudo apt-get install postgresql', then 'sudo pg_ctlcluster <version> main start');",
                    "  - or an existing database: export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://HOST:PORT/DB",
                    "    (and QUARKUS_DATASOURCE_USERNAME, QUARKUS_DATASOURCE_PASSWORD), then './fmnist up' again.");
        }
        Properties login = new Properties();
        login.put("user", "postgres");
        login.put("connectTimeout", "10");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", login)) {
            boolean exists;
            try (PreparedStatement q = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                q.setString(1, db);
                try (ResultSet r = q.executeQuery()) {
                    exists = r.next();
                }
            }
            try (Statement st = c.createStatement()) {
                if (exists && reset) {
                    try {
                        st.execute("drop database " + db + " with (force)");
                    } catch (SQLException e) {
                        throw new StackException("cannot drop database '" + db + "' at " + host + ":" + port
                                + " for --reset: " + e.getMessage());
                    }
                    say("PostgreSQL: --reset, dropped database " + db + " (models, predictions, explanations)");
                    exists = false;
                }
                if (!exists) {
                    try {
                        st.execute("create database " + db);
                    } catch (SQLException e) {
                        throw new StackException("cannot create database '" + db + "' at " + host + ":" + port
                                + ": " + e.getMessage());
                    }
                    say("PostgreSQL: created database " + db + " at " + host + ":" + port);
                } else {
                    say("PostgreSQL: " + url);
                }
            }
        } catch (SQLException e) {
            throw new StackException("cannot log in to PostgreSQL at " + host + ":" + port + " as user 'postgres': "
                    + e.getMessage(),
                    "Allow it (trust or a ~/.pgpass entry), or export QUARKUS_DATASOURCE_JDBC_URL,",
                    "QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD for an existing database.");
        }
        return url;
    }
}
