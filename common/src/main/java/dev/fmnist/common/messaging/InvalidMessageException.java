package dev.fmnist.common.messaging;

/** A message that breaks its contract; {@link #reason()} goes into the DLQ's error-class header. */
public class InvalidMessageException extends IllegalArgumentException {

    /** Kinds of invalid input, also the {@code error-class} values of dead-letter records. */
    public enum Reason {
        INVALID_JSON("invalid-json"),
        INVALID_FIELD("invalid-field"),
        INVALID_IMAGE("invalid-image"),
        UNKNOWN_MODEL("unknown-model"),
        /** The record says it is Protobuf ({@code content-type}) and its bytes are not the message it names. */
        INVALID_PROTOBUF("invalid-protobuf"),
        /** The record's {@code content-type} header names a format or message type this topic does not carry. */
        UNSUPPORTED_CONTENT_TYPE("unsupported-content-type");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public InvalidMessageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidMessageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** {@code field 'name': expected <expected>, got <got>}. */
    public static InvalidMessageException field(Reason reason, String name, String expected, String got) {
        return new InvalidMessageException(reason, "field '" + name + "': expected " + expected + ", got " + got);
    }

    /** {@link #field(Reason, String, String, String)} with a cause (its message becomes the dead letter's cause). */
    public static InvalidMessageException field(Reason reason, String name, String expected, String got, Throwable cause) {
        return new InvalidMessageException(reason, "field '" + name + "': expected " + expected + ", got " + got, cause);
    }

    /** {@code field 'name' is missing: expected <expected>}. */
    public static InvalidMessageException missing(Reason reason, String name, String expected) {
        return new InvalidMessageException(reason, "field '" + name + "' is missing: expected " + expected);
    }
}
