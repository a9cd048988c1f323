package dev.fmnist.explainer.domain;

/** An explanation row: its id and status (what a write found or made). */
public record StoredExplanation(long id, ExplanationStatus status) {
}
