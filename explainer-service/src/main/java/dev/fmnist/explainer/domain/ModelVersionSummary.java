package dev.fmnist.explainer.domain;

import java.time.Instant;

/** One registered model version in the model list: its test accuracy (null before evaluation) and links. */
public record ModelVersionSummary(String name, int version, String format, Instant createdAt, boolean latest,
                                  Double testAccuracy, String href) {
}
