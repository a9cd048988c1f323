package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

    @Test
    void reasonThenSourceThenTraceInThatOrder() {
        Map<String, byte[]> h = DeadLetterHeaders.of("invalid-json", "not JSON", Topics.IMAGES, 2, 41L,
                "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
        assertThat(h.keySet()).containsExactly(Topics.HEADER_ERROR_CLASS, Topics.HEADER_ERROR_MESSAGE,
                DeadLetterHeaders.SOURCE_TOPIC, DeadLetterHeaders.SOURCE_PARTITION, DeadLetterHeaders.SOURCE_OFFSET,
                Topics.HEADER_TRACEPARENT);
        assertThat(new String(h.get(DeadLetterHeaders.SOURCE_OFFSET), StandardCharsets.UTF_8)).isEqualTo("41");
        assertThat(new String(h.get(Topics.HEADER_ERROR_MESSAGE), StandardCharsets.UTF_8)).isEqualTo("not JSON");
    }

    @Test
    void aMissingMessageFallsBackToTheClassAndNoTraceMeansNoHeader() {
        Map<String, byte[]> h = DeadLetterHeaders.of("invalid-record", null, Topics.PREDICTIONS, 0, 0L, null);
        assertThat(new String(h.get(Topics.HEADER_ERROR_MESSAGE), StandardCharsets.UTF_8)).isEqualTo("invalid-record");
        assertThat(h).doesNotContainKey(Topics.HEADER_TRACEPARENT);
    }
}
