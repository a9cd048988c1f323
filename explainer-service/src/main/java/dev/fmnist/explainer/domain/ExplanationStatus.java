package dev.fmnist.explainer.domain;

import java.util.Locale;

/** The {@code status} column of {@code xai.explanation}. */
public enum ExplanationStatus {
    SUCCEEDED, FAILED;

    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExplanationStatus ofColumn(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
