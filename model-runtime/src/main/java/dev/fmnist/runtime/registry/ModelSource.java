package dev.fmnist.runtime.registry;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Where model versions come from: the registry ({@link ModelRegistryReader}) in the services, a map in
 * the runtime's unit tests. Every artifact returned is already verified against its SHA-256.
 */
public interface ModelSource {
    /** The number of the newest published version of a model, if any, without reading its artifact. */
    Optional<Integer> latestVersion(String name) throws SQLException;

    /** One committed version of a model, if it exists. */
    Optional<StoredModel> version(String name, int version) throws SQLException;
}
