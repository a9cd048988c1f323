package dev.fmnist.common.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

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
        if (json == null || json.length == 0) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON,
                    "empty record: expected a " + type.getSimpleName() + " JSON object");
        }
        T value;
        try {
            value = MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON,
                    "not a valid " + type.getSimpleName() + " JSON object: " + firstLine(e.getMessage()), e);
        }
        if (value == null) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_JSON,
                    "null record: expected a " + type.getSimpleName() + " JSON object");
        }
        value.validate();
        return value;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
