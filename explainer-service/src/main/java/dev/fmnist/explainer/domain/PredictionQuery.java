package dev.fmnist.explainer.domain;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.messaging.ModelNames;
import java.util.Locale;

/**
 * The filters and page of {@code GET /api/predictions}, validated: every parameter is optional.
 *
 * @param model         a model name
 * @param label         the predicted label 0..9
 * @param correct       predicted label equals the true label (only predictions with a true label match)
 * @param minConfidence the predicted class's probability at least this, 0..1
 * @param maxConfidence at most this, 0..1
 * @param page          0-based
 * @param size          1..max page size
 */
public record PredictionQuery(String model, Integer label, Boolean correct, Float minConfidence, Float maxConfidence,
                              int page, int size) {

    /** A parameter that is not acceptable; the message names it (answered with 400). */
    public static class InvalidQueryException extends IllegalArgumentException {
        public InvalidQueryException(String message) {
            super(message);
        }
    }

    /** Parses the raw query parameters (null = absent). */
    public static PredictionQuery parse(String model, String label, String correct, String minConfidence,
                                        String maxConfidence, String page, String size, int defaultSize,
                                        int maxSize) {
        String m = blankToNull(model);
        if (m != null && !ModelNames.isKnown(m)) {
            throw new InvalidQueryException("model must be one of " + ModelNames.KNOWN + ", got '" + m + "'");
        }
        Integer l = integer("label", label);
        if (l != null && !FashionClass.isValidLabel(l)) {
            throw new InvalidQueryException("label must be 0..9, got " + l);
        }
        Boolean c = bool("correct", correct);
        Float min = confidence("minConfidence", minConfidence);
        Float max = confidence("maxConfidence", maxConfidence);
        if (min != null && max != null && min > max) {
            throw new InvalidQueryException("minConfidence " + min + " is greater than maxConfidence " + max);
        }
        Integer p = integer("page", page);
        if (p != null && p < 0) {
            throw new InvalidQueryException("page must be 0 or more, got " + p);
        }
        Integer s = integer("size", size);
        if (s != null && (s < 1 || s > maxSize)) {
            throw new InvalidQueryException("size must be 1.." + maxSize + ", got " + s);
        }
        return new PredictionQuery(m, l, c, min, max, p == null ? 0 : p, s == null ? Math.min(defaultSize, maxSize) : s);
    }

    /** Rows to skip. */
    public long offset() {
        return (long) page * size;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static Integer integer(String name, String raw) {
        String s = blankToNull(raw);
        if (s == null) {
            return null;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new InvalidQueryException(name + " must be an integer, got '" + s + "'");
        }
    }

    private static Boolean bool(String name, String raw) {
        String s = blankToNull(raw);
        if (s == null) {
            return null;
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidQueryException(name + " must be true or false, got '" + s + "'");
        };
    }

    private static Float confidence(String name, String raw) {
        String s = blankToNull(raw);
        if (s == null) {
            return null;
        }
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new InvalidQueryException(name + " must be a number in [0, 1], got '" + s + "'");
        }
        if (!(v >= 0 && v <= 1)) {
            throw new InvalidQueryException(name + " must be in [0, 1], got " + s);
        }
        return (float) v;
    }
}
