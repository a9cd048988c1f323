package dev.fmnist.common.messaging;

import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The two encodings of {@link ScoreRequest} and {@link Prediction} on Kafka (docs/protobuf.md): JSON (docs/schemas,
 * the default: a record without a {@value #HEADER} header is JSON) and Protobuf ({@code fmnist.v1}, the schema in
 * common/src/main/protobuf). A record says which it is in its {@value #HEADER} header, the header the CloudEvents
 * Kafka protocol binding's binary mode uses for {@code datacontenttype}; its {@code ce_*} headers are accepted and
 * play no part in decoding.
 */
public enum WireFormat {
    JSON("application/json"),
    PROTOBUF("application/x-protobuf");

    /** The record header naming the format (CloudEvents Kafka binding, binary mode: {@code datacontenttype}). */
    public static final String HEADER = "content-type";
    /** The media-type parameter that names the Protobuf message type ({@code fmnist.v1.ScoreRequest}). */
    public static final String MESSAGE_TYPE = "messageType";
    /** What {@link #of} accepts, for the reason of a record it refuses. */
    static final String ACCEPTED = "no content-type (JSON), application/json, or application/x-protobuf "
            + "(also application/protobuf, application/vnd.google.protobuf) with an optional "
            + "messageType=<the topic's fmnist.v1 message>";

    private final String mediaType;

    WireFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The {@value #HEADER} value of a record carrying {@code messageType} ({@code fmnist.v1.Prediction}). */
    public String contentType(String messageType) {
        return this == PROTOBUF ? mediaType + "; " + MESSAGE_TYPE + "=" + messageType : mediaType;
    }

    /** The {@value #HEADER} header of a record carrying {@code messageType}. */
    public Header header(String messageType) {
        return new RecordHeader(HEADER, contentType(messageType).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code json} or {@code protobuf} (configuration values, command-line options), in any case. */
    public static WireFormat parse(String name) {
        for (WireFormat f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown message format '" + name + "': expected json or protobuf");
    }

    /**
     * The format of a record from its headers: JSON when it has no {@value #HEADER} header. The header name is matched
     * without regard to case ({@code Content-Type}); when there are several, the last one counts (Kafka's rule for
     * {@link Headers#lastHeader}).
     *
     * @param messageType the Protobuf message the topic carries ({@code fmnist.v1.ScoreRequest}): a
     *                    {@value #MESSAGE_TYPE} parameter naming another one is refused
     * @throws InvalidMessageException ({@link Reason#UNSUPPORTED_CONTENT_TYPE}) naming the header's value and what
     *                                 is accepted
     */
    public static WireFormat of(Headers headers, String messageType) {
        String value = null;
        if (headers != null) {
            for (Header h : headers) {
                if (HEADER.equalsIgnoreCase(h.key())) {
                    value = h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
                }
            }
        }
        if (value == null) {
            return JSON;
        }
        // every record of a producer carries the same value: parsing it each time was ~5 % of inference's CPU under load
        String key = messageType + '\n' + value;
        WireFormat known = ACCEPTED_VALUES.get(key);
        if (known != null) {
            return known;
        }
        WireFormat format = ofContentType(value, messageType); // a refused value throws and is not kept
        if (ACCEPTED_VALUES.size() < MAX_KEPT_VALUES) {
            ACCEPTED_VALUES.put(key, format);
        }
        return format;
    }

    /** Accepted {@value #HEADER} values already parsed (per message type), at most {@link #MAX_KEPT_VALUES}. */
    private static final java.util.Map<String, WireFormat> ACCEPTED_VALUES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_KEPT_VALUES = 64;

    /** The format a {@value #HEADER} value names; see {@link #of(Headers, String)}. */
    public static WireFormat ofContentType(String contentType, String messageType) {
        String[] parts = contentType.split(";");
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        WireFormat format = switch (media) {
            case "application/json", "text/json" -> JSON;
            case "application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf" -> PROTOBUF;
            default -> throw unsupported(contentType, messageType);
        };
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int eq = parameter.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = parameter.substring(0, eq).trim();
            String value = unquote(parameter.substring(eq + 1).trim());
            // "messagetype", "proto": spellings other producers use for the same parameter
            if ((name.equalsIgnoreCase(MESSAGE_TYPE) || name.equalsIgnoreCase("proto")) && format == PROTOBUF
                    && !value.equals(messageType)) {
                throw new InvalidMessageException(Reason.UNSUPPORTED_CONTENT_TYPE, "header content-type '"
                        + contentType + "' names message type " + value + ", but this topic carries " + messageType);
            }
        }
        return format;
    }

    private static InvalidMessageException unsupported(String contentType, String messageType) {
        return new InvalidMessageException(Reason.UNSUPPORTED_CONTENT_TYPE, "header content-type '" + contentType
                + "' is not a supported format: expected " + ACCEPTED.replace("<the topic's fmnist.v1 message>",
                messageType));
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
