package dev.fmnist.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.trainer.evaluation.Evaluation;
import dev.fmnist.trainer.service.TrainingService.SeedRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedStudyReportTest {

    /** A run whose test accuracy is {@code correct} of 10 images (one per class); train and validation all right. */
    static SeedRun run(String model, long seed, int correct) {
        byte[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        int[] predicted = new int[10];
        for (int i = 0; i < 10; i++) {
            predicted[i] = i < correct ? i : (i + 1) % 10;
        }
        int[] right = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        return new SeedRun(model, seed, 12.0, Map.of("bestEpoch", 3, "epochsRun", 5), Map.of(),
                List.of(Evaluation.of("train", labels, right), Evaluation.of("validation", labels, right),
                        Evaluation.of("test", labels, predicted)));
    }

    @Test
    void chunksAddUpToTheMeanAndSampleStdOverSeedsBelowTheRegisteredTable(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve("training.md"), "# Training results\n\n| lenet | 1 | 91.50 % |\n");
        SeedStudyReport.write(List.of(run("lenet", 42, 8), run("lenet", 43, 9)), "full", out);
        // a second chunk: a new seed, and seed 43 again, which replaces its first record
        SeedStudyReport.write(List.of(run("lenet", 44, 7), run("lenet", 43, 9)), "full", out);
        SeedStudyReport.write(List.of(run("xgboost", 42, 10)), "--no-search", out);

        String md = Files.readString(out.resolve("training.md"));
        assertThat(md).startsWith("# Training results\n\n| lenet | 1 | 91.50 % |\n");
        assertThat(md.indexOf(SeedStudyReport.SECTION)).isEqualTo(md.lastIndexOf(SeedStudyReport.SECTION));
        // 80, 90, 70 %: mean 80, sample standard deviation 10
        assertThat(md).contains("| lenet | full | 80.00 ± 10.00 % | 3 | 70.00 - 90.00 % | 100.00 ± 0.00 % | 100.00 % | 12 s |");
        assertThat(md).contains("| xgboost | --no-search | 100.00 ± - % | 1 |");
        assertThat(md).contains("| Sneaker | 66.7 | 100.0 |"); // class 7 right in 2 of the 3 lenet runs
        assertThat(SeedStudyReport.read(out.resolve(SeedStudyReport.RUNS_FILE))).hasSize(4);
    }
}
