package dev.fmnist.inference.service;

import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.runtime.LatestVersions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

/**
 * The models of {@code inference.models}, newest loaded version of each: model-runtime's {@link LatestVersions}
 * as a bean. Singleton (no client proxy): it is read on every call.
 */
@Singleton
public class ModelHolder extends LatestVersions {

    public ModelHolder(InferenceConfig config) {
        super(config.models(), "inference.models");
    }

    @PreDestroy
    void close() {
        closeAll();
    }
}
