package dev.fmnist.tools.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallFailuresTest {

    @Test
    void failuresAreCountedByReasonWithLongBodiesCutAndExceptionsNamed() {
        CallFailures failures = new CallFailures();
        failures.add("HTTP 503: {\"error\":\n \"model 'cnn' has no loaded version yet\"}");
        failures.add("HTTP 503: {\"error\": \"model 'cnn' has no loaded version yet\"}");
        failures.add(new IOException("HTTP/1.1 header parser received no bytes"));
        failures.add("HTTP 500: " + "x".repeat(500));
        failures.add(" ");

        Map<String, Integer> counts = failures.counts();
        assertThat(failures.total()).isEqualTo(5);
        assertThat(counts).containsEntry("HTTP 503: {\"error\": \"model 'cnn' has no loaded version yet\"}", 2)
                .containsEntry("IOException: HTTP/1.1 header parser received no bytes", 1)
                .containsEntry("no reason given", 1);
        assertThat(counts.keySet()).filteredOn(r -> r.startsWith("HTTP 500"))
                .singleElement().satisfies(r -> assertThat(r).hasSize(CallFailures.REASON_CHARS + 3).endsWith("..."));
    }
}
