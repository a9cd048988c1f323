package dev.fmnist.runtime.registry;

import java.time.Instant;

/** One model version as stored in the registry, its artifact already checked against its SHA-256. */
public record StoredModel(String name, int version, String format, String sha256, byte[] artifact, String metricsJson,
                          Instant createdAt) {
}
