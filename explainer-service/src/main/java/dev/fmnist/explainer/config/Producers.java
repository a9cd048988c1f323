package dev.fmnist.explainer.config;

import dev.fmnist.explainer.service.ExplanationPolicy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Beans made from plain classes. */
public class Producers {

    /** What is explained and what is shed, from {@code explainer.*}; a bad setting fails start-up with its key. */
    @Produces
    @Singleton
    ExplanationPolicy explanationPolicy(ExplainerConfig config) {
        return ExplanationPolicy.of(config);
    }
}
