package dev.fmnist.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Optional;

/** Settings of trainer-service ({@code trainer.*}). */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
    /** Bearer token the write endpoints require; when absent they refuse every request. */
    Optional<String> adminToken();

    /** Native threads of the training engines; 0 = the CPUs this process may use. */
    @WithDefault("0")
    int threads();

    /** Folder for the human-readable copies: {@code <out>/<name>/<version>/}. */
    @WithDefault("models")
    String outputDir();

    /** DJL's cache (extracted libtorch natives), offline. */
    @WithDefault("target/djl-cache")
    String engineCacheDir();

    @WithDefault("42")
    long seed();

    /** Folder of the dataset; empty = the standard lookup order. */
    Optional<String> dataDir();

    /** Attempts to announce a version on Kafka, and to write it to the registry, before giving up. */
    @WithDefault("3")
    int publishAttempts();

    /**
     * Test images in the UMAP and t-SNE plots of each report (2,000: about 5 s of UMAP and 10 s of
     * t-SNE on 2 cores); 0 skips both.
     */
    @WithDefault("2000")
    int reportEmbeddingImages();

    /**
     * Whether a registered {@code cnn} is refit on the training and validation images together, for the
     * number of epochs chosen on validation (docs/training.md, "Refit"); false trains on the training
     * images and keeps the epoch with the best validation accuracy, as the other models do.
     */
    @WithName("cnn.refit")
    @WithDefault("true")
    boolean cnnRefit();

    default int effectiveThreads() {
        return threads() > 0 ? threads() : Runtime.getRuntime().availableProcessors();
    }
}
