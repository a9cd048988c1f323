package dev.fmnist.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsTableTest {

    @Test
    void oneMarkdownRowPerFaultWithADashWhereNothingWasMeasured() {
        ReliabilitySettings settings = new ReliabilitySettings(true, 10_000, 400, 20, Duration.ofSeconds(30), 1_000, 0.4,
                new ReliabilitySettings.Load(30_000, 2_000, 200));
        String md = ResultsTable.markdown(settings, List.of(
                new FaultResult("kill -9 of inference-service", "30,000 at 2,000/s, every 200th explained", 10_000, 0, 0, 118, 5.94, 9.81, 6.7, "first prediction"),
                new FaultResult("malformed records", "as fast as sent", 2_000, 0, 0, 0, Double.NaN, Double.NaN, 2.0, "no fault")), "2 CPUs");

        assertThat(md).contains("the issues' size", "10,000 at 400/s, every 20th explained (issue #10)",
                "30,000 at 2,000/s, every 200th explained (issue #17)");
        assertThat(md.lines().filter(l -> l.startsWith("| ")).toList()).as("header, separator, two rows").hasSize(4);
        assertThat(md).contains("| kill -9 of inference-service | 30,000 at 2,000/s, every 200th explained | 10,000 | 0 | 0 | 118 | 5.9 | 9.8 | 6.7 | first prediction |")
                .contains("| malformed records | as fast as sent | 2,000 | 0 | 0 | 0 | - | - | 2.0 | no fault |");
    }
}
