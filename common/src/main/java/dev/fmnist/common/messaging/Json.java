package dev.fmnist.common.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** The JSON mapping of every message: UTF-8, ISO-8601 instants, unknown fields ignored. */
public final class Json {
    private static final ObjectMapper MAPPER = configure(new ObjectMapper());

    private Json() {
    }

    /** Applies the message settings to a mapper (Quarkus services pass theirs in). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String writeString(Object message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Parses and validates a message; any problem is an {@link InvalidMessageException}. */
    public static <T extends Validated> T read(byte[] json, Class<T> type) {
        return read(json, type, null);
    }

    /**
     * Parses and validates a message, field by field: every problem is an {@link InvalidMessageException}
     * whose message names the field, what the contract expects and what came (never a parser's
     * internals). Optional fields take their defaults; an absent time stamp ({@code submittedAt},
     * {@code scoredAt}) takes {@code received}, the Kafka record's timestamp (null: stays absent).
     */
    public static <T extends Validated> T read(byte[] json, Class<T> type, Instant received) {
        Reader<?> reader = READERS.get(type);
        if (reader == null) {
            throw new IllegalArgumentException("no message reader for " + type.getName());
        }
        String what = "a JSON object (a " + type.getSimpleName() + ")";
        if (json == null || json.length == 0) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON, "empty record: expected " + what);
        }
        JsonNode tree;
        try {
            tree = TREE_READER.readTree(json);
        } catch (IOException e) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON,
                    "not valid JSON" + describe(e) + ": expected " + what);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON, "empty record: expected " + what);
        }
        if (tree.isNull()) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON, "null record: expected " + what);
        }
        if (!tree.isObject()) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON,
                    "expected " + what + ", got " + kind(tree) + " " + JsonFields.show(tree));
        }
        T value = type.cast(reader.read(new JsonFields(tree, ""), received));
        value.validate();
        return value;
    }

    /** Reads one message type from its JSON object's fields. */
    interface Reader<T extends Validated> {
        T read(JsonFields fields, Instant received);
    }

    private static final Map<Class<?>, Reader<?>> READERS = Map.of(
            ScoreRequest.class, ScoreRequest::read,
            Prediction.class, Prediction::read,
            ModelPublished.class, ModelPublished::read,
            ExplanationStored.class, ExplanationStored::read);

    private static final ObjectReader TREE_READER = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static String kind(JsonNode n) {
        if (n.isArray()) {
            return "an array";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        return "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Where and why the text is not JSON, in words: " at line 1, column 3 (unexpected character 'o')". */
    static String describe(IOException e) {
        StringBuilder s = new StringBuilder();
        if (e instanceof JsonProcessingException p && p.getLocation() != null && p.getLocation().getLineNr() > 0) {
            s.append(" at line ").append(p.getLocation().getLineNr()).append(", column ").append(p.getLocation().getColumnNr());
        }
        String why = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
        why = clean(why);
        if (!why.isEmpty()) {
            s.append(" (").append(why).append(')');
        }
        return s.toString();
    }

    /** A parser message without its source excerpts, class and method names, and settings. */
    static String clean(String message) {
        if (message == null) {
            return "";
        }
        String s = message;
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl);
        }
        s = s.replaceAll("\\s*\\(for [^)]*starting at \\[Source.*$", "");
        s = s.replaceAll("\\s*\\(start marker at \\[Source.*$", "");
        s = s.replaceAll("\\s*at \\[Source.*$", "");
        s = s.replaceAll(",?\\s*from `[^`]*`", "");
        s = s.replaceAll("\\s*\\(code \\d+\\)", "");
        s = s.replaceAll("`[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)+`", "");
        s = s.replaceAll("\\(\\s*\\)", "");
        s = s.replaceAll("\\s{2,}", " ").trim();
        if (s.endsWith(":")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        return s;
    }
}
