package dev.fmnist.explainer.rest;

/** Parsing of the read API's shared query parameters, answering 400 with the reason when one is invalid. */
final class QueryParameters {
    private QueryParameters() {
    }

    /** An upscaling factor in [{@code min}, {@code max}]; {@code defaultScale} when absent. */
    static int scale(String raw, int defaultScale, int min, int max) {
        if (raw == null || raw.isBlank()) {
            return defaultScale;
        }
        try {
            int s = Integer.parseInt(raw.trim());
            if (s >= min && s <= max) {
                return s;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("scale must be an integer " + min + ".." + max + ", got '" + raw + "'");
    }

    /** How many segments to outline, 1..{@code max}; {@code defaultTop} when absent. */
    static int top(String raw, int defaultTop, int max) {
        if (raw == null || raw.isBlank()) {
            return defaultTop;
        }
        try {
            int t = Integer.parseInt(raw.trim());
            if (t >= 1 && t <= max) {
                return t;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("top must be an integer 1.." + max + ", got '" + raw + "'");
    }
}
