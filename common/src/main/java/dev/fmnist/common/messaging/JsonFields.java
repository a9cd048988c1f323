package dev.fmnist.common.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of one JSON object of a message, read with the contract's types: a field of the wrong
 * JSON type is an {@link InvalidMessageException} that names the field, what was expected and what
 * came ({@code field 'explain': expected true or false, got "yes"}). An optional field that is absent
 * or {@code null} reads as null (the caller applies the default); a required one is reported missing.
 * Unknown fields are ignored.
 */
final class JsonFields {
    static final String INSTANT = "an ISO-8601 date-time with a zone offset, such as \"2026-11-25T10:15:30Z\"";
    private static final int SHOWN = 60;

    private final JsonNode object;
    private final String prefix;

    JsonFields(JsonNode object, String prefix) {
        this.object = object;
        this.prefix = prefix;
    }

    /** The field's name as messages show it ({@code model.version} inside an object). */
    String name(String field) {
        return prefix + field;
    }

    private JsonNode node(String field, Reason reason, String expected, boolean required) {
        JsonNode n = object.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw InvalidMessageException.missing(reason, name(field), expected);
            }
            return null;
        }
        return n;
    }

    private InvalidMessageException wrong(String field, Reason reason, String expected, JsonNode got) {
        return InvalidMessageException.field(reason, name(field), expected, show(got));
    }

    String string(String field, Reason reason, String expected, boolean required) {
        JsonNode n = node(field, reason, expected, required);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw wrong(field, reason, expected, n);
        }
        return n.textValue();
    }

    Boolean bool(String field, boolean required) {
        String expected = "true or false";
        JsonNode n = node(field, Reason.INVALID_FIELD, expected, required);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw wrong(field, Reason.INVALID_FIELD, expected, n);
        }
        return n.booleanValue();
    }

    Integer integer(String field, String expected, boolean required) {
        Long value = longValue(field, expected, required);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw wrong(field, Reason.INVALID_FIELD, expected, object.get(field));
        }
        return value.intValue();
    }

    Long longValue(String field, String expected, boolean required) {
        JsonNode n = node(field, Reason.INVALID_FIELD, expected, required);
        if (n == null) {
            return null;
        }
        if (!n.isNumber() || !n.canConvertToExactIntegral() || !n.canConvertToLong()) {
            throw wrong(field, Reason.INVALID_FIELD, expected, n);
        }
        return n.asLong();
    }

    Double number(String field, String expected, boolean required) {
        JsonNode n = node(field, Reason.INVALID_FIELD, expected, required);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw wrong(field, Reason.INVALID_FIELD, expected, n);
        }
        return n.asDouble();
    }

    Instant instant(String field, boolean required) {
        JsonNode n = node(field, Reason.INVALID_FIELD, INSTANT, required);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw wrong(field, Reason.INVALID_FIELD, INSTANT, n);
        }
        Instant utc = parseUtc(n.textValue());
        if (utc != null) {
            return utc;
        }
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(n.textValue(), Instant::from);
        } catch (DateTimeParseException e) {
            throw wrong(field, Reason.INVALID_FIELD, INSTANT, n);
        }
    }

    /**
     * The usual form of a time stamp, {@code 2026-12-03T09:24:18.123456Z} (what Java's {@code Instant.toString} writes),
     * read without the general ISO parser, which cost 5-8 % of a service's CPU per record under load (results/benchmarks.md,
     * notes); null for any other form or an impossible date or time, which the ISO parser then reads or refuses as before.
     */
    static Instant parseUtc(String t) {
        int len = t.length();
        if (len < 20 || len > 30 || t.charAt(len - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-'
                || t.charAt(10) != 'T' || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int nanos = 0;
        if (len > 20) {
            int digits = len - 21;
            if (t.charAt(19) != '.' || digits < 1 || digits > 9) {
                return null;
            }
            int fraction = digits(t, 20, len - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
            long secondOfDay = java.time.LocalTime.of(hour, minute, second).toSecondOfDay();
            return Instant.ofEpochSecond(epochDay * 86_400 + secondOfDay, nanos);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The decimal number of {@code t}'s characters {@code from..to} (exclusive), all ASCII digits; -1 otherwise. */
    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** An array of numbers, as float32 values. */
    float[] floats(String field, String expected, boolean required) {
        JsonNode n = node(field, Reason.INVALID_FIELD, expected, required);
        if (n == null) {
            return null;
        }
        if (!n.isArray()) {
            throw wrong(field, Reason.INVALID_FIELD, expected, n);
        }
        float[] values = new float[n.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = n.get(i);
            if (!v.isNumber()) {
                throw InvalidMessageException.field(Reason.INVALID_FIELD, name(field), expected,
                        "a non-number " + show(v) + " at index " + i);
            }
            values[i] = (float) v.asDouble();
        }
        return values;
    }

    /** A nested object's fields (names shown as {@code field.inner}). */
    JsonFields object(String field, Reason reason, String expected, boolean required) {
        JsonNode n = node(field, reason, expected, required);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw wrong(field, reason, expected, n);
        }
        return new JsonFields(n, name(field) + ".");
    }

    /** An object of free-form values (numbers, strings, ...), in field order. */
    Map<String, Object> map(String field, String expected, boolean required) {
        JsonNode n = node(field, Reason.INVALID_FIELD, expected, required);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw wrong(field, Reason.INVALID_FIELD, expected, n);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> values = Json.mapper().convertValue(n, LinkedHashMap.class);
        return values;
    }

    /** A JSON value as a message shows it: its JSON text, cut after {@value #SHOWN} characters. */
    static String show(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        String text = n.toString();
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "... (" + text.length() + " characters)";
    }

    /** A string value as a message shows it: quoted and escaped like JSON, cut like {@link #show(JsonNode)}. */
    static String show(String s) {
        return s == null ? "null" : show(Json.mapper().getNodeFactory().textNode(s));
    }
}
