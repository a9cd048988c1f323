package dev.fmnist.common.messaging;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers of a dead-letter record, the same for every service's dead-letter topic: why
 * ({@link Topics#HEADER_ERROR_CLASS}, {@link Topics#HEADER_ERROR_MESSAGE}), where the record came from
 * (the names SmallRye's own dead-letter queue uses) and the trace context when it had one.
 */
public final class DeadLetterHeaders {
    public static final String SOURCE_TOPIC = "dead-letter-topic";
    public static final String SOURCE_PARTITION = "dead-letter-partition";
    public static final String SOURCE_OFFSET = "dead-letter-offset";
    /** {@code error-class} of a record that failed in an unexpected way while being read. */
    public static final String INVALID_RECORD = "invalid-record";

    private DeadLetterHeaders() {
    }

    /**
     * The headers, in the order they are written, as UTF-8 values.
     *
     * @param message     a human-readable reason; the error class when null
     * @param traceparent the original record's {@code traceparent} header value, or null
     */
    public static Map<String, byte[]> of(String errorClass, String message, String topic, int partition, long offset,
                                         byte[] traceparent) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put(Topics.HEADER_ERROR_CLASS, utf8(errorClass));
        headers.put(Topics.HEADER_ERROR_MESSAGE, utf8(message == null ? errorClass : message));
        headers.put(SOURCE_TOPIC, utf8(topic));
        headers.put(SOURCE_PARTITION, utf8(Integer.toString(partition)));
        headers.put(SOURCE_OFFSET, utf8(Long.toString(offset)));
        if (traceparent != null) {
            headers.put(Topics.HEADER_TRACEPARENT, traceparent);
        }
        return headers;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
