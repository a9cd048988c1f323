package dev.fmnist.common.messaging;

import dev.fmnist.common.messaging.InvalidMessageException.Reason;

/** A model version: its name and the registry version number. */
public record ModelRef(String name, int version) implements Validated {
    static final String EXPECTED = "an object {\"name\": \"cnn\" | \"lenet\" | \"xgboost\" | \"forest\", \"version\": integer >= 1}";
    static final String NAME = "one of \"cnn\", \"lenet\", \"xgboost\" or \"forest\"";
    static final String VERSION = "an integer >= 1";

    /** Reads the object in field {@code field} ({@code model}); its fields are reported as {@code model.name}, {@code model.version}. */
    static ModelRef read(JsonFields f, String field) {
        return readFlat(f.object(field, Reason.INVALID_FIELD, EXPECTED, true));
    }

    /** Reads {@code name} and {@code version} from {@code f} itself. */
    static ModelRef readFlat(JsonFields f) {
        String name = f.string("name", Reason.UNKNOWN_MODEL, NAME, true);
        int version = f.integer("version", VERSION, true);
        return new ModelRef(name, version);
    }

    @Override
    public void validate() {
        validate("model.name", "model.version");
    }

    /** Checks the name and version, reporting them under the given field names. */
    void validate(String nameField, String versionField) {
        if (!ModelNames.isKnown(name)) {
            throw InvalidMessageException.field(Reason.UNKNOWN_MODEL, nameField, NAME, JsonFields.show(name));
        }
        if (version < 1) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, versionField, VERSION, Integer.toString(version));
        }
    }

    @Override
    public String toString() {
        return name + "/" + version;
    }
}
