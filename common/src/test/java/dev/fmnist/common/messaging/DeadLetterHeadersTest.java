package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

    private static String text(Map<String, byte[]> h, String name) {
        return new String(h.get(name), StandardCharsets.UTF_8);
    }

    @Test
    void projectHeadersThenSmallRyesInThatOrderAsUtf8Strings() {
        InvalidMessageException failure = InvalidMessageException.field(InvalidMessageException.Reason.INVALID_IMAGE,
                "image", "base64", "text that is not valid base64", new IllegalArgumentException("Illegal base64 character 40"));
        Map<String, byte[]> h = DeadLetterHeaders.of("invalid-image", failure, Topics.IMAGES, 2, 41L);
        assertThat(h.keySet()).containsExactly(Topics.HEADER_ERROR_CLASS, Topics.HEADER_ERROR_MESSAGE,
                DeadLetterHeaders.EXCEPTION_CLASS_NAME, DeadLetterHeaders.REASON, DeadLetterHeaders.CAUSE,
                DeadLetterHeaders.SOURCE_TOPIC, DeadLetterHeaders.SOURCE_PARTITION, DeadLetterHeaders.SOURCE_OFFSET);
        // the names SmallRye's KafkaDeadLetterQueue writes
        assertThat(DeadLetterHeaders.EXCEPTION_CLASS_NAME).isEqualTo("dead-letter-exception-class-name");
        assertThat(DeadLetterHeaders.REASON).isEqualTo("dead-letter-reason");
        assertThat(DeadLetterHeaders.CAUSE).isEqualTo("dead-letter-cause");
        assertThat(DeadLetterHeaders.SOURCE_TOPIC).isEqualTo("dead-letter-topic");
        assertThat(DeadLetterHeaders.SOURCE_PARTITION).isEqualTo("dead-letter-partition");
        assertThat(DeadLetterHeaders.SOURCE_OFFSET).isEqualTo("dead-letter-offset");

        String reason = "field 'image': expected base64, got text that is not valid base64";
        assertThat(text(h, Topics.HEADER_ERROR_CLASS)).isEqualTo("invalid-image");
        assertThat(text(h, Topics.HEADER_ERROR_MESSAGE)).isEqualTo(reason);
        assertThat(text(h, DeadLetterHeaders.REASON)).isEqualTo(reason);
        assertThat(text(h, DeadLetterHeaders.EXCEPTION_CLASS_NAME)).isEqualTo(InvalidMessageException.class.getName());
        assertThat(text(h, DeadLetterHeaders.CAUSE)).isEqualTo("Illegal base64 character 40");
        assertThat(text(h, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(Topics.IMAGES);
        assertThat(text(h, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("2");
        assertThat(text(h, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("41");
    }

    @Test
    void noCauseMeansNoCauseHeaderAndAMissingMessageFallsBackToTheException() {
        Map<String, byte[]> h = DeadLetterHeaders.of("invalid-record", new IllegalStateException(), Topics.PREDICTIONS, 0, 0L);
        assertThat(h).doesNotContainKey(DeadLetterHeaders.CAUSE);
        assertThat(text(h, Topics.HEADER_ERROR_MESSAGE)).isEqualTo("java.lang.IllegalStateException");
        assertThat(text(h, DeadLetterHeaders.REASON)).isEqualTo("java.lang.IllegalStateException");
    }
}
