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
            description = "Train all three models on the full data and write results/training.md and .json.")
    class Benchmark implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "results", description = "folder of training.md and training.json")
        String out;

        @Option(names = "--models", defaultValue = "all", description = "lenet, cnn, xgboost or all")
        String models;

        @Override
        public Integer call() throws Exception {
            training.dataset();
            long t0 = System.nanoTime();
            TrainingJob job = training.runNow(new TrainingRequest(models, null, 0, null), new ConsoleProgressBar(System.err));
            int code = report(job, System.out);
            if (code == 0) {
                System.out.println("wrote " + benchmark.write(job, java.nio.file.Path.of(out), (System.nanoTime() - t0) / 1e9));
            }
            return code;
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
