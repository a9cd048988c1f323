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
}
