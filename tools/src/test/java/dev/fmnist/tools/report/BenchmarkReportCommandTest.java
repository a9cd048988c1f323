package dev.fmnist.tools.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.messaging.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from pieces in the formats the run writes them: targets applied, met or not, the worst miss named. */
class BenchmarkReportCommandTest {

    @Test
    void targetsAreMetOrMissedByTheirDirection() {
        assertThat(Target.atLeast(20000, "img/s").met(20000)).isTrue();
        assertThat(Target.atLeast(20000, "img/s").met(19999)).isFalse();
        assertThat(Target.atMost(100, "ms").met(227)).isFalse();
        assertThat(Target.atMost(100, "ms").missFactor(227)).isEqualTo(2.27, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Target.atLeast(20000, "img/s").missFactor(10000)).isEqualTo(2.0);
        assertThat(Target.atMost(1.3, "x").toString()).isEqualTo("<= 1.30 x");
    }

    @Test
    void writesEveryFigureNextToItsTargetAndNamesTheWorstMiss(@TempDir Path dir) throws Exception {
        Path pieces = Files.createDirectories(dir.resolve("pieces"));
        // JMH's JSON (-rf json): calls per second of one batch
        Files.writeString(pieces.resolve("jmh.json"), """
                [{"params": {"model": "cnn", "batch": "256"}, "measurementIterations": 5,
                  "primaryMetric": {"score": 40.0, "scoreError": 1.0, "scoreUnit": "ops/s"}}]""");
        // the load generator's --json
        Files.writeString(pieces.resolve("load-lenet.json"), """
                {"model": "lenet", "version": 2, "rawBatch": 256, "rawImagesPerSecond": 100000.0,
                 "phases": [
                   {"phase": "full load", "sent": 10, "received": 10, "targetRate": 0.0, "imagesPerSecond": 10000.0,
                    "latency": {"p50Ms": 900.0, "p95Ms": 1000.0, "p99Ms": 1100.0}},
                   {"phase": "half load", "sent": 10, "received": 10, "targetRate": 5000.0, "imagesPerSecond": 5000.0,
                    "latency": {"p50Ms": 30.0, "p95Ms": 150.0, "p99Ms": 400.0}}],
                 "http": [{"phase": "1 client", "concurrency": 1, "requestsPerSecond": 900.0,
                           "latency": {"p50Ms": 0.7, "p99Ms": 5.0}}],
                 "httpBinary": [{"phase": "1 client", "batch": 256, "batches": 100, "imagesPerSecond": 40000.0,
                                 "latency": {"p50Ms": 6.0}}]}""");
        // ShapleyAccuracy's --json
        Files.writeString(pieces.resolve("shapley.json"), """
                {"images": 12, "references": [{"model": "cnn", "version": 1, "space": "log_odds", "images": 12, "exact": 2,
                  "permutation": 10, "meanReferenceRelSe": 0.022}],
                 "kernelShap": [
                   {"model": "cnn", "version": 1, "space": "log_odds", "budget": "half", "meanEvaluations": 1054.0,
                    "meanRelL2": 0.151, "p90RelL2": 0.264, "rmsRelL2": 0.17, "ownRmsRelL2": 0.168, "meanSpearman": 0.959},
                   {"model": "cnn", "version": 1, "space": "log_odds", "budget": "default", "meanEvaluations": 2108.0,
                    "meanRelL2": 0.098, "p90RelL2": 0.182, "rmsRelL2": 0.11, "ownRmsRelL2": 0.107, "ownMeanRelL2": 0.095,
                    "meanSpearman": 0.978, "defaultBudgetFactor": 8.0}],
                 "lime": [{"model": "cnn", "version": 1, "space": "log_odds", "meanR2": 0.609, "p10R2": 0.428, "p50R2": 0.571,
                           "p90R2": 0.758}],
                 "deletion": [{"model": "cnn", "version": 1, "space": "log_odds", "kernelShapArea": 0.2, "limeArea": 0.25,
                               "randomArea": 0.5, "kernelShapRatio": 0.4, "limeRatio": 0.5, "kernelShapBelowRandom": 0.97,
                               "limeBelowRandom": 0.9}]}""");
        Files.writeString(pieces.resolve("services.tsv"), "# service\tstartup_s\trss_rest_kib\trss_load_peak_kib\tload\n"
                + "inference-service\t3.21\t301056\t424960\tthe load generator\n");
        Path out = dir.resolve("results");

        int code = new picocli.CommandLine(new BenchmarkReportCommand()).execute("--dir", pieces.toString(),
                "--out", out.toString(), "--training-report", dir.resolve("absent.md").toString());

        assertThat(code).isZero();
        String md = Files.readString(out.resolve("benchmarks.md"));
        assertThat(md).contains("| ONNX Runtime `cnn`, batch 256 | 10,240 img/s | >= 4,000 img/s | met |")
                .contains("| `lenet` v2: full load, throughput | 10,000 img/s | >= 20,000 img/s | **not met** |")
                .contains("| `lenet` v2: 1 client, latency p50 | 0.700 ms | <= 2.00 ms | met |")
                .contains("| `lenet` v2: binary tensors, batch 256, 1 client, throughput | 40,000 img/s |")
                .contains("| `lenet` v2: binary tensors, batch 256, 1 client, / raw | 0.400 | >= 0.500 | **not met** |")
                .contains("| `inference-service`: resident memory under load (peak) | 415 MiB |")
                .contains("| `cnn` v1 KernelSHAP, log_odds, default budget (this model's default is 8 times the base): relative L2 error against reference Shapley values,"
                        + " mean over 12 images | 0.0980 | <= 0.0500 | **not met** | 2108 evaluations; p90 0.182; mean with each"
                        + " reference's noise out 0.095; RMS 0.110,"
                        + " 0.107 with the references' noise out (references: 2 exact, 10 by permutation to a mean relative SE"
                        + " of 0.022); Spearman 0.978 |")
                .contains("| `cnn` v1 KernelSHAP, log_odds, half budget: relative L2 error against reference Shapley values,"
                        + " mean over 12 images | 0.151 |  |  |")
                .contains("| `cnn` v1 LIME, log_odds: weighted R^2 of the surrogate, mean over 12 images | 0.609 |  |  | p10 0.428,"
                        + " p50 0.571, p90 0.758 |")
                .contains("Worst miss: `lenet` v2: half load (5,000/s offered), latency p99, 400 ms against <= 100 ms (4.00x off)");
        assertThat(md).contains("| `cnn` v1 KernelSHAP: deletion area / random orders' area, mean over 12 images | 0.400 |")
                .contains("area 0.200 against 0.500 for random orders; below random on 97 % of the images")
                .contains("| `cnn` v1 LIME: deletion area / random orders' area, mean over 12 images | 0.500 |");
        JsonNode json = Json.mapper().readTree(out.resolve("benchmarks.json").toFile());
        assertThat(json.path("machine").path("cpus").asInt()).isPositive();
        assertThat(json.path("worstMiss").path("factor").asDouble()).isEqualTo(4.0);
        assertThat(json.path("missingPieces").toString()).contains("explanations.json", "absent.md");
    }
}
