package dev.fmnist.trainer.cli;

import dev.fmnist.common.data.DatasetNotFoundException;
import dev.fmnist.common.data.IdxFormatException;
import dev.fmnist.trainer.service.TrainingJob;
import dev.fmnist.trainer.service.TrainingRequest;
import dev.fmnist.trainer.service.TrainingService;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The trainer's command line (picocli). Exit codes: 0 done, 1 failed, 2 bad input or missing dataset. */
@ApplicationScoped
public class TrainerCommands {
    public static final int BAD_INPUT = 2;

    private final TrainingService training;
    private final BenchmarkReport benchmark;
    private final RegistryCommands registryCommands;

    public TrainerCommands(TrainingService training, BenchmarkReport benchmark, RegistryCommands registryCommands) {
        this.training = training;
        this.benchmark = benchmark;
        this.registryCommands = registryCommands;
    }

    public int execute(String... args) {
        CommandLine cli = new CommandLine(new Root())
                .addSubcommand("train", new Train())
                .addSubcommand("evaluate", registryCommands.evaluate())
                .addSubcommand("report", registryCommands.report())
                .addSubcommand("benchmark", new Benchmark());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + e.getMessage());
            return e instanceof IllegalArgumentException || e instanceof DatasetNotFoundException
                    || e instanceof IdxFormatException ? BAD_INPUT : 1;
        });
        return cli.execute(args);
    }

    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = "Trains, evaluates and registers the Fashion-MNIST models. Without a command: the REST service.")
    static class Root implements Runnable {
        @Override
        public void run() {
            CommandLine.usage(this, System.out);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train, evaluate, register and announce models.")
    class Train implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "lenet, cnn, xgboost or all")
        String model;

        @Option(names = "--epochs", description = "epochs (CNNs) or maximum boosting rounds (XGBoost); default per model")
        Integer epochs;

        @Option(names = "--limit", defaultValue = "0", description = "train on a stratified subset of N images (0 = all)")
        int limit;

        @Option(names = "--out", description = "folder for <name>/<version>/ copies (default trainer.output-dir)")
        String out;

        @Override
        public Integer call() {
            TrainingRequest request = new TrainingRequest(model, epochs, limit, out);
            training.dataset(); // a missing dataset is bad input (exit 2), found before any work starts
            TrainingJob job = training.runNow(request, new ConsoleProgressBar(System.err));
            return report(job, System.out);
        }
    }

    @Command(name = "benchmark", mixinStandardHelpOptions = true,
            description = {"Without --seeds: train the models on the full data, register them and write results/training.md and .json.",
                    "With --seeds N: the seed study: train each model N times (seeds --first-seed, +1, ...), evaluate each run on"
                            + " train, validation and test, register none, and write the mean and standard deviation over the seeds"
                            + " to the section \"Seeds\" of training.md (runs kept in training-seeds.json, so chunks add up)."})
    class Benchmark implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "results", description = "folder of training.md and training.json")
        String out;

        @Option(names = "--models", defaultValue = "all", description = "lenet, cnn, xgboost, forest or all")
        String models;

        @Option(names = "--seeds", defaultValue = "0", description = "runs per model for the seed study (0: the registered full run)")
        int seeds;

        @Option(names = "--first-seed", description = "the first seed of the study (default trainer.seed, 42)")
        Long firstSeed;

        @Option(names = "--epochs", description = "seed study only: epochs (CNNs), boosting rounds (xgboost) or trees per class (forest)")
        Integer epochs;

        @Option(names = "--limit", defaultValue = "0", description = "seed study only: train on a stratified subset of N images (0 = all)")
        int limit;

        @Option(names = "--no-search", description = "seed study only: fit the tree models at the grid point the full search"
                + " chose (cross-validation, seed 42) instead of searching again per seed")
        boolean noSearch;

        @Option(names = "--report-only", description = "seed study only: write the section \"Seeds\" again from"
                + " training-seeds.json, training nothing")
        boolean reportOnly;

        @Override
        public Integer call() throws Exception {
            if (reportOnly) {
                System.out.println("wrote " + SeedStudyReport.write(java.util.List.of(), "", java.nio.file.Path.of(out)));
                return 0;
            }
            training.dataset();
            if (seeds > 0) {
                return seedStudy();
            }
            if (seeds < 0) {
                throw new IllegalArgumentException("--seeds must be a positive number of runs, got " + seeds);
            }
            if (epochs != null || limit != 0 || noSearch) {
                throw new IllegalArgumentException("--epochs, --limit and --no-search belong to the seed study (--seeds N);"
                        + " the registered benchmark run uses the full settings");
            }
            long t0 = System.nanoTime();
            TrainingJob job = training.runNow(new TrainingRequest(models, null, 0, null), new ConsoleProgressBar(System.err));
            int code = report(job, System.out);
            if (code == 0) {
                System.out.println("wrote " + benchmark.write(job, java.nio.file.Path.of(out), (System.nanoTime() - t0) / 1e9));
            }
            return code;
        }

        private int seedStudy() throws java.io.IOException {
            TrainingRequest request = new TrainingRequest(models, epochs, limit, null); // validates the model and numbers
            long first = firstSeed != null ? firstSeed : training.seed();
            String settings = settingsLabel();
            java.util.List<TrainingService.SeedRun> runs = new java.util.ArrayList<>();
            ConsoleProgressBar progress = new ConsoleProgressBar(System.err);
            for (String model : request.models()) {
                for (int i = 0; i < seeds; i++) {
                    long seed = first + i;
                    TrainingService.SeedRun run = training.trainForSeedStudy(model, seed, epochs, limit, !noSearch, progress);
                    runs.add(run);
                    System.out.printf("%-8s seed %d  train %.2f%%  validation %.2f%%  test %.2f%%  (%.0f s)%n", model, seed,
                            100 * run.evaluation("train").accuracy(), 100 * run.evaluation("validation").accuracy(),
                            100 * run.evaluation("test").accuracy(), run.trainSeconds());
                    // written after every run, so an interrupted chunk keeps what it finished
                    SeedStudyReport.write(java.util.List.of(run), settings, java.nio.file.Path.of(out));
                }
            }
            System.out.println("wrote " + java.nio.file.Path.of(out).resolve("training.md") + " (" + runs.size() + " runs)");
            return 0;
        }

        private String settingsLabel() {
            java.util.List<String> parts = new java.util.ArrayList<>();
            if (epochs != null) {
                parts.add("--epochs " + epochs);
            }
            if (limit > 0) {
                parts.add("--limit " + limit);
            }
            if (noSearch) {
                parts.add("--no-search");
            }
            return parts.isEmpty() ? "full" : String.join(" ", parts);
        }
    }

    /** Prints what a run registered, or its failure in one line; the exit code: 0 done, 1 failed. */
    public static int report(TrainingJob job, PrintStream out) {
        TrainingJob.Status status = job.status();
        for (TrainingJob.Registered r : status.registered()) {
            out.printf("%-8s version %d  test accuracy %.2f%%  files %s%n", r.name(), r.version(), 100 * r.testAccuracy(),
                    r.folder());
        }
        if (status.state() == TrainingJob.State.FAILED) {
            out.println("training failed: " + status.error());
            return 1;
        }
        return 0;
    }
}
