package dev.fmnist.inference.config;

import dev.fmnist.common.image.ImagePreprocessor;
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
}
