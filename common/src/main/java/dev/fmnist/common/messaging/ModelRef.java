package dev.fmnist.common.messaging;

/** A model version: its name and the registry version number. */
public record ModelRef(String name, int version) implements Validated {
    @Override
    public void validate() {
        if (!ModelNames.isKnown(name)) {
            throw new InvalidMessageException(InvalidMessageException.Reason.UNKNOWN_MODEL,
                    "unknown model name '" + name + "', expected one of " + ModelNames.KNOWN);
        }
        if (version < 1) {
            throw InvalidMessageException.field("model version must be >= 1, got " + version);
        }
    }

    @Override
    public String toString() {
        return name + "/" + version;
    }
}
