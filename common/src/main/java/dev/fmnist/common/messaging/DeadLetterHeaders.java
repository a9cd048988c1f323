package dev.fmnist.common.messaging;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The headers of a dead-letter record, the same for every service's dead-letter topic: the project's
 * own ({@link Topics#HEADER_ERROR_CLASS}, {@link Topics#HEADER_ERROR_MESSAGE}), then the ones SmallRye
 * Reactive Messaging's Kafka dead-letter queue writes, with the same names and UTF-8 string values
 * ({@value #EXCEPTION_CLASS_NAME}, {@value #REASON}, {@value #CAUSE} when the failure has a cause,
 * {@value #SOURCE_TOPIC}, {@value #SOURCE_PARTITION}, {@value #SOURCE_OFFSET}). The original record's
 * headers follow them, as SmallRye copies them too, except {@code traceparent}/{@code tracestate}, which name the
 * record's consumer span ({@code KafkaBatchEdge}, {@code RecordTracing}).
 */
public final class DeadLetterHeaders {
    public static final String EXCEPTION_CLASS_NAME = "dead-letter-exception-class-name";
    public static final String REASON = "dead-letter-reason";
    public static final String CAUSE = "dead-letter-cause";
    public static final String SOURCE_TOPIC = "dead-letter-topic";
    public static final String SOURCE_PARTITION = "dead-letter-partition";
    public static final String SOURCE_OFFSET = "dead-letter-offset";
    /** Every header name written here: original headers of these names are not copied onto a dead letter. */
    public static final Set<String> NAMES = Set.of(Topics.HEADER_ERROR_CLASS, Topics.HEADER_ERROR_MESSAGE,
            EXCEPTION_CLASS_NAME, REASON, CAUSE, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET);
    /** {@code error-class} of a record that failed in an unexpected way while being read. */
    public static final String INVALID_RECORD = "invalid-record";

    private DeadLetterHeaders() {
    }

    /**
     * The headers, in the order they are written, as UTF-8 values.
     *
     * @param errorClass the reason's class ({@code invalid-json}, ...)
     * @param failure    why: its message is the reason, its class the exception class name, its cause's
     *                   message the cause (the caller passes one of the project's own exceptions)
     */
    public static Map<String, byte[]> of(String errorClass, Throwable failure, String topic, int partition,
                                         long offset) {
        String reason = messageOf(failure);
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put(Topics.HEADER_ERROR_CLASS, utf8(errorClass));
        headers.put(Topics.HEADER_ERROR_MESSAGE, utf8(reason));
        headers.put(EXCEPTION_CLASS_NAME, utf8(failure.getClass().getName()));
        headers.put(REASON, utf8(reason));
        if (failure.getCause() != null) {
            headers.put(CAUSE, utf8(messageOf(failure.getCause())));
        }
        headers.put(SOURCE_TOPIC, utf8(topic));
        headers.put(SOURCE_PARTITION, utf8(Integer.toString(partition)));
        headers.put(SOURCE_OFFSET, utf8(Long.toString(offset)));
        return headers;
    }

    /** A failure's message, or its class and nothing else when it has none (as SmallRye writes it). */
    public static String messageOf(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
