package dev.fmnist.benchmarks;

import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import java.sql.SQLException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The newest published models of the registry that the measurements run: the same artifacts the
 * services serve. System properties {@code fmnist.benchmark.registry-url} and
 * {@code fmnist.benchmark.registry-user} (environment {@code FMNIST_DB_PASSWORD} for a password)
 * point at another database than the local stack's.
 */
final class RegistryModels {
    static final String URL_PROPERTY = "fmnist.benchmark.registry-url";
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/fmnist";

    private RegistryModels() {
    }

    static ModelRegistryReader reader() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(System.getProperty(URL_PROPERTY, DEFAULT_URL));
        ds.setUser(System.getProperty("fmnist.benchmark.registry-user", "postgres"));
        String password = System.getenv("FMNIST_DB_PASSWORD");
        if (password != null) {
            ds.setPassword(password);
        }
        return new ModelRegistryReader(ds);
    }

    /** The newest published version; fails with what to do when the registry has none. */
    static StoredModel latest(String name) throws SQLException {
        return reader().latest(name).orElseThrow(() -> new IllegalStateException("the registry at "
                + System.getProperty(URL_PROPERTY, DEFAULT_URL) + " has no published version of '" + name
                + "': train it first ('./fmnist benchmark' trains short versions, or the trainer's 'train' command)"));
    }
}
