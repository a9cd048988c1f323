package dev.fmnist.trainer.cli;

import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.trainer.config.TrainerConfig;
import dev.fmnist.trainer.evaluation.Evaluator;
import dev.fmnist.trainer.evaluation.HeldOutTestSet;
import dev.fmnist.trainer.repository.ModelRegistryRepository;
import dev.fmnist.trainer.service.TrainingService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate} and {@code report}: work on versions already in the registry. */
@ApplicationScoped
public class RegistryCommands {
    private final ModelRegistryRepository registry;
    private final TrainingService training;
    private final TrainerConfig config;

    public RegistryCommands(ModelRegistryRepository registry, TrainingService training, TrainerConfig config) {
        this.registry = registry;
        this.training = training;
        this.config = config;
    }

    Evaluate evaluate() {
        return new Evaluate();
    }

    Report report() {
        return new Report();
    }

    /** Which registered version a command works on. */
    static class VersionOptions {
        @Option(names = "--model", required = true, description = "lenet, cnn or xgboost")
        String model;

        @Option(names = "--version", description = "registry version (default: the latest published)")
        Integer version;
    }

    StoredModel find(VersionOptions which) throws Exception {
        String model = which.model;
        Integer version = which.version;
        return (version == null ? registry.latest(model) : registry.artifact(model, version))
                .orElseThrow(() -> new IllegalArgumentException("no " + (version == null ? "published version" : "version " + version)
                        + " of model '" + model + "' in the registry; train one with: train --model " + model));
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = "Score the official test set with a registered version and print the per-class table.")
    class Evaluate implements Callable<Integer> {
        @Mixin
        VersionOptions which = new VersionOptions();

        @Override
        public Integer call() throws Exception {
            StoredModel stored = find(which);
            HeldOutTestSet test = HeldOutTestSet.of(training.dataset().test(), config.seed(), 0);
            try (ModelScorer scorer = ModelScorers.open(stored, ScorerOptions.cpu().withThreads(config.effectiveThreads()))) {
                Evaluator.Timed timed = Evaluator.testTimed(scorer, test);
                System.out.printf("%s version %d on %d test images (%.0f images/s)%n%n%s", stored.name(), stored.version(),
                        test.size(), timed.imagesPerSecond(), timed.evaluation().perClassTable());
            }
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Print the stored evaluation of a registered version (train, validation, test).")
    class Report implements Callable<Integer> {
        @Mixin
        VersionOptions which = new VersionOptions();

        @Override
        public Integer call() throws Exception {
            StoredModel stored = find(which);
            var evaluations = registry.evaluations(stored.name(), stored.version());
            System.out.printf("%s version %d, sha256 %s%n", stored.name(), stored.version(), stored.sha256());
            evaluations.forEach((split, e) -> System.out.printf("%n%s (%d images)%n%s", split, e.images(), e.perClassTable()));
            return 0;
        }
    }
}
