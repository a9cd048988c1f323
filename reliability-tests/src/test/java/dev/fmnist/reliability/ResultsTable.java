package dev.fmnist.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** Renders the rows of a fault-injection run as the Markdown table of {@code results/reliability.md}. */
final class ResultsTable {
    private ResultsTable() {
    }

    static String markdown(ReliabilitySettings settings, List<FaultResult> rows, String machine) {
        StringBuilder md = new StringBuilder();
        md.append("# Reliability: faults injected and what was lost\n\n");
        md.append("Written by `reliability-tests` (`FaultInjectionIT`) on ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(", ").append(machine).append(", ")
                .append(settings.full() ? "the issues' size" : "the quick size (`-Dreliability.quick=true`)")
                .append(": each Kafka fault scenario runs under two loads, ").append(settings.steady().describe())
                .append(" (issue #10) and ").append(settings.heavy().describe())
                .append(" (issue #17); explanations are LIME and KernelSHAP of lenet; the fault hits when ")
                .append(Math.round(settings.faultAt() * 100)).append(" % of the stream is sent.\n");
        md.append("The broker, PostgreSQL and the services are real and run as separate processes; a kill is `kill -9`.\n\n");
        md.append("| fault | load | requests sent | lost | duplicated after dedupe | duplicate deliveries collapsed "
                + "| outage (s) | time to recover (s) | caught up after the last request (s) | how recovery was measured |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (FaultResult r : rows) {
            md.append("| ").append(r.fault())
                    .append(" | ").append(r.load())
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", r.sent()))
                    .append(" | ").append(r.lost())
                    .append(" | ").append(r.duplicated())
                    .append(" | ").append(r.duplicateDeliveries())
                    .append(" | ").append(seconds(r.outageSeconds()))
                    .append(" | ").append(seconds(r.recoverSeconds()))
                    .append(" | ").append(seconds(r.caughtUpSeconds()))
                    .append(" | ").append(r.note()).append(" |\n");
        }
        md.append("\n- **lost**: a valid request without its stored prediction (or, where asked, both explanations), "
                + "or an invalid record missing from the dead-letter topic with its reason.\n");
        md.append("- **duplicated after dedupe**: stored rows beyond one per request and model (per request, model "
                + "and method for explanations); the keys of `xai.prediction` and `xai.explanation` collapse "
                + "redelivered records.\n");
        md.append("- **duplicate deliveries collapsed**: records Kafka delivered again after the fault (at-least-once: "
                + "a batch whose offsets were not committed is scored or stored again), counted on "
                + "`fmnist.predictions` and `fmnist.explanations`; the storage made them harmless.\n");
        md.append("- **outage**: from the fault until the failed part was back (restarted and ready, broker port "
                + "open, database connections forwarded again). **time to recover**: from the fault to the first "
                + "new result after it.\n");
        return md.toString();
    }

    static String seconds(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.1f", s);
    }

    static void write(Path file, ReliabilitySettings settings, List<FaultResult> rows, String machine) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, markdown(settings, rows, machine));
    }
}
