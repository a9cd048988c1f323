package dev.fmnist.common.messaging;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Reads and writes the records of {@code fmnist.images} and {@code fmnist.predictions} in either {@link WireFormat}:
 * the record's {@value WireFormat#HEADER} header says which (none: JSON), and both give the same, validated
 * {@link ScoreRequest} or {@link Prediction} (docs/protobuf.md).
 */
public final class MessageCodec {
    /** The Protobuf header per message type, built once: inference adds it to every prediction it writes. */
    private static final Map<String, List<Header>> PROTOBUF_HEADERS = new ConcurrentHashMap<>();

    private MessageCodec() {
    }

    /**
     * Parses and validates a record's value as a message of {@code type}, in the format its headers name; an absent
     * time stamp takes {@code received} (the record's timestamp).
     *
     * @throws InvalidMessageException naming the field, or the content-type that is not accepted
     */
    public static <T extends Validated> T read(Headers headers, byte[] value, Class<T> type, Instant received) {
        String messageType = ProtobufMessages.messageType(type);
        WireFormat format = messageType == null ? WireFormat.JSON : WireFormat.of(headers, messageType);
        return format == WireFormat.PROTOBUF ? ProtobufMessages.read(value, type, received)
                : Json.read(value, type, received);
    }

    /** The bytes of {@code message} in {@code format}. */
    public static byte[] write(Validated message, WireFormat format) {
        return format == WireFormat.PROTOBUF ? ProtobufMessages.write(message) : Json.write(message);
    }

    /**
     * The headers that name {@code format} for {@code message}'s type: a {@value WireFormat#HEADER} for Protobuf,
     * none for JSON (a record without one is JSON, and every reader of the JSON contract predates the header).
     */
    public static List<Header> headers(Validated message, WireFormat format) {
        if (format == WireFormat.JSON) {
            return List.of();
        }
        String messageType = ProtobufMessages.messageType(message.getClass());
        if (messageType == null) {
            throw new IllegalArgumentException("no Protobuf form for " + message.getClass().getName());
        }
        return PROTOBUF_HEADERS.computeIfAbsent(messageType, t -> List.of(format.header(t)));
    }
}
