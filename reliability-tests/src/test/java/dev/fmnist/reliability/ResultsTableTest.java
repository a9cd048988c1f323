package dev.fmnist.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsTableTest {

    @Test
    void oneMarkdownRowPerFaultWithADashWhereNothingWasMeasured() {
        ReliabilitySettings settings = new ReliabilitySettings(true, 10_000, 400, 20, Duration.ofSeconds(30), 1_000, 0.4);
        String md = ResultsTable.markdown(settings, List.of(
                new FaultResult("kill -9 of inference-service", 10_000, 0, 0, 118, 5.94, 9.81, 6.7, "first prediction"),
                new FaultResult("malformed records", 2_000, 0, 0, 0, Double.NaN, Double.NaN, 2.0, "no fault")), "2 CPUs");

        assertThat(md).contains("the issue's size", "10,000 images per fault scenario", "every 20th");
        assertThat(md.lines().filter(l -> l.startsWith("| ")).toList()).as("header, separator, two rows").hasSize(4);
        assertThat(md).contains("| kill -9 of inference-service | 10,000 | 0 | 0 | 118 | 5.9 | 9.8 | 6.7 | first prediction |")
                .contains("| malformed records | 2,000 | 0 | 0 | 0 | - | - | 2.0 | no fault |");
    }
}
