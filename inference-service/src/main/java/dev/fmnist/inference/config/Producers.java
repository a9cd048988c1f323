package dev.fmnist.inference.config;

import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.runtime.scoring.BatchSplitter;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Beans made from common's plain classes. */
public class Producers {

    /** Photos (PNG/JPEG) to 28x28 Fashion-MNIST pixels, within common's default size limits. */
    @Produces
    @Singleton
    ImagePreprocessor imagePreprocessor() {
        return new ImagePreprocessor();
    }

    /**
     * Large batches cut into parts on idle cores ({@code inference.split.*}); off (one core) unless configured: with
     * {@code inference.threads} above 1 the engines' own threads use the cores.
     */
    @Produces
    @Singleton
    BatchSplitter batchSplitter(InferenceConfig config) {
        int cores = config.split().cores();
        return new BatchSplitter(cores > 0 ? cores : Math.max(1, Runtime.getRuntime().availableProcessors()),
                config.split().minImages());
    }

    void close(@Disposes BatchSplitter splitter) {
        splitter.close();
    }
}
