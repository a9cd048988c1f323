package dev.fmnist.common.messaging;

import java.util.List;

/** The models the platform serves, and the request value that asks for all of them. */
public final class ModelNames {
    public static final String CNN = "cnn";
    public static final String LENET = "lenet";
    public static final String XGBOOST = "xgboost";
    /** A random forest, trained and served by XGBoost4J like {@link #XGBOOST} (same artifact format). */
    public static final String FOREST = "forest";
    public static final String ALL = "all";
    public static final List<String> KNOWN = List.of(CNN, LENET, XGBOOST, FOREST);

    private ModelNames() {
    }

    public static boolean isKnown(String name) {
        return KNOWN.contains(name);
    }

    /** The models a request names: one model, or every model for {@code all}. */
    public static List<String> resolve(String requested) {
        if (ALL.equals(requested)) {
            return KNOWN;
        }
        if (isKnown(requested)) {
            return List.of(requested);
        }
        throw new InvalidMessageException(InvalidMessageException.Reason.UNKNOWN_MODEL,
                "unknown model '" + requested + "', expected one of " + KNOWN + " or '" + ALL + "'");
    }
}
