package dev.fmnist.trainer.service;

import dev.fmnist.common.data.DatasetLocator;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.kafka.KafkaAccess;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.trainer.config.TrainerConfig;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.domain.TrainingOptions;
import dev.fmnist.trainer.evaluation.Evaluation;
import dev.fmnist.trainer.evaluation.Evaluator;
import dev.fmnist.trainer.evaluation.HeldOutTestSet;
import dev.fmnist.trainer.messaging.ModelEventPublisher;
import dev.fmnist.trainer.repository.ModelRegistryRepository;
import dev.fmnist.trainer.repository.ModelRegistryRepository.VersionInfo;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Trains, evaluates, registers and announces models. One training at a time (the engines use
 * every core); REST submissions queue behind each other on a single worker thread.
 *
 * <p>The protocol (docs/training.md, "Protocol"): the trainer receives {@link TrainingData} (train
 * and validation) and nothing else; the official test images are a {@link HeldOutTestSet} that
 * this class hands to the {@link Evaluator} once per model, after training.
 *
 * <p>Per model: train; evaluate on train, validation and test; register artifact, metrics and
 * evaluations in one transaction; write the human-readable copy; announce on
 * {@code fmnist.models}; only then mark the version published. A version that cannot be
 * announced after bounded retries is removed again, so no half-published version remains.
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    private final ModelRegistryRepository registry;
    private final ModelEventPublisher publisher;
    private final Instance<ModelTrainer> trainers;
    private final TrainerConfig config;
    private final ReportFiles reportFiles;
    private final Map<UUID, TrainingJob> jobs = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training-worker");
        t.setDaemon(true);
        return t;
    });
    private volatile FashionMnist data;

    public TrainingService(ModelRegistryRepository registry, ModelEventPublisher publisher, Instance<ModelTrainer> trainers,
                           TrainerConfig config, ReportFiles reportFiles) {
        this.registry = registry;
        this.publisher = publisher;
        this.trainers = trainers;
        this.config = config;
        this.reportFiles = reportFiles;
    }

    /** Queues a training; the returned job reports progress. */
    public TrainingJob submit(TrainingRequest request) {
        TrainingJob job = new TrainingJob(request);
        jobs.put(job.id(), job);
        worker.submit(() -> run(job, TrainingListener.NONE));
        return job;
    }

    public Optional<TrainingJob> job(UUID id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Runs a training in the calling thread (the CLI); {@code console} also hears progress. */
    public TrainingJob runNow(TrainingRequest request, TrainingListener console) {
        TrainingJob job = new TrainingJob(request);
        jobs.put(job.id(), job);
        run(job, console);
        return job;
    }

    /** The configured seed ({@code trainer.seed}): the registered trainings' and the seed study's first. */
    public long seed() {
        return config.seed();
    }

    /** The dataset, loaded once (about 1 s); a missing dataset fails with the locator's message. */
    public FashionMnist dataset() {
        FashionMnist d = data;
        if (d == null) {
            synchronized (this) {
                if (data == null) {
                    DatasetLocator locator = DatasetLocator.fromEnvironment();
                    if (config.dataDir().isPresent()) {
                        locator = locator.withConfiguredDir(Path.of(config.dataDir().get()));
                    }
                    data = FashionMnist.load(locator.locate());
                }
                d = data;
            }
        }
        return d;
    }

    private void run(TrainingJob job, TrainingListener console) {
        TrainingListener listener = fanOut(job, console);
        job.started();
        try {
            TrainingRequest request = job.request();
            TrainingOptions options = new TrainingOptions(request.epochs(), request.limit(), config.seed(),
                    config.effectiveThreads());
            TrainingData data = TrainingData.of(dataset().train(), options.seed(), options.limit());
            HeldOutTestSet testSet = HeldOutTestSet.of(dataset().test(), options.seed(), options.limit());
            Path out = Path.of(request.outDir() != null ? request.outDir() : config.outputDir());
            for (String model : request.models()) {
                job.registered(trainOne(model, data, testSet, options, out, listener));
            }
            job.succeeded();
        } catch (AnnouncementRefusedException e) {
            // the sentence says it all; the Kafka client's stack trace would only bury it
            LOG.errorf("training %s failed: %s", job.id(), e.getMessage());
            job.failed(e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "training %s failed", job.id());
            job.failed(e.getMessage());
        }
    }

    private ModelTrainer trainerOf(String model) {
        return trainers.stream().filter(t -> t.supports(model)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no trainer for model " + model));
    }

    private TrainingJob.Registered trainOne(String model, TrainingData data, HeldOutTestSet testSet, TrainingOptions options,
                                            Path out, TrainingListener listener) {
        ModelTrainer trainer = trainerOf(model);
        UUID runId = UUID.randomUUID();
        Map<String, Object> runParams = Map.of("limit", options.limit(), "seed", options.seed(),
                "epochs", options.epochs() == null ? "default" : options.epochs(), "threads", options.threads());
        withRetries("record training run of " + model, () -> {
            registry.createRun(runId, model, runParams);
            return null;
        });
        TrainingListener recording = new TrainingListener() {
            @Override
            public void stage(String m, String stage) {
                listener.stage(m, stage);
            }

            @Override
            public void progress(String m, long done, long total) {
                listener.progress(m, done, total);
            }

            @Override
            public void epoch(String m, EpochMetrics metrics) {
                listener.epoch(m, metrics);
                try {
                    registry.addEpoch(runId, metrics);
                } catch (SQLException e) {
                    LOG.warnf("could not record epoch %d of %s: %s", metrics.epoch(), m, e.getMessage());
                }
            }
        };
        try {
            // a refit trains on training and validation images together: no validation figures then
            TrainingData fit = trainer.refitsOnValidation(model) ? data.refit() : data;
            TrainedModel trained = trainer.train(model, fit, options, recording);
            List<Evaluation> evaluations = evaluate(model, trained, fit, testSet, listener);
            Evaluation test = evaluations.get(evaluations.size() - 1);
            Map<String, Object> metrics = new LinkedHashMap<>(trained.metrics());
            metrics.put("trainAccuracy", evaluations.get(0).accuracy());
            if (fit.hasValidation()) {
                metrics.put("validationAccuracy", evaluations.get(1).accuracy());
            }
            metrics.put("testAccuracy", test.accuracy());
            metrics.put("testImages", test.images());
            metrics.put("trainImages", fit.train().size());
            VersionInfo version = register(model, trained, runId, metrics, evaluations);
            Path folder = reportFiles.write(out, version, trained, evaluations, fit, testSet);
            announce(version);
            withRetries("finish training run of " + model, () -> {
                registry.finishRun(runId, "succeeded", null);
                return null;
            });
            LOG.infof("%s version %d registered: test accuracy %.4f", model, version.version(), test.accuracy());
            return new TrainingJob.Registered(model, version.version(), test.accuracy(), folder.toString());
        } catch (RuntimeException e) {
            try {
                registry.finishRun(runId, "failed", e.getMessage());
            } catch (SQLException ignored) {
                LOG.warnf("could not mark training run %s failed: %s", runId, ignored.getMessage());
            }
            throw e;
        }
    }

    /**
     * Train, validation (when there is one) and test evaluations of a trained model, test last: the test
     * set's one reading.
     */
    private static List<Evaluation> evaluate(String model, TrainedModel trained, TrainingData data, HeldOutTestSet testSet,
                                             TrainingListener listener) {
        try (ModelScorer scorer = trained.scorer()) {
            listener.stage(model, "evaluation");
            Evaluation train = Evaluator.evaluate(scorer, "train", data.train());
            Evaluation test = Evaluator.test(scorer, testSet);
            return data.hasValidation()
                    ? List.of(train, Evaluator.evaluate(scorer, "validation", data.validation()), test)
                    : List.of(train, test);
        }
    }

    /**
     * One run of the seed study ({@code trainer benchmark --seeds N}): {@code model} trained with
     * {@code seed} (the split, the initialisation, the batch order, XGBoost's sampling), evaluated on
     * train, validation and test, not registered: a measurement of the spread over seeds, not a
     * version to serve.
     */
    public SeedRun trainForSeedStudy(String model, long seed, Integer epochs, int limit, boolean searchHyperParameters,
                                     TrainingListener listener) {
        TrainingOptions options = new TrainingOptions(epochs, limit, seed, config.effectiveThreads(), searchHyperParameters);
        TrainingData data = TrainingData.of(dataset().train(), seed, limit);
        HeldOutTestSet testSet = HeldOutTestSet.of(dataset().test(), seed, limit);
        long t0 = System.nanoTime();
        TrainedModel trained = trainerOf(model).train(model, data, options, listener);
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Evaluation> evaluations = evaluate(model, trained, data, testSet, listener);
        return new SeedRun(model, seed, seconds, trained.metrics(), trained.params(), evaluations);
    }

    /** A seed-study run: wall time of the training (no evaluation), the trainer's metrics and params, the evaluations. */
    public record SeedRun(String model, long seed, double trainSeconds, Map<String, Object> metrics,
                          Map<String, Object> params, List<Evaluation> evaluations) {
        public Evaluation evaluation(String split) {
            return evaluations.stream().filter(e -> e.split().equals(split)).findFirst().orElseThrow();
        }
    }

    VersionInfo register(String model, TrainedModel trained, UUID runId, Map<String, Object> metrics,
                                 List<Evaluation> evaluations) {
        return withRetries("register " + model, () -> registry.register(new ModelRegistryRepository.NewVersion(
                model, trained.format(), version -> trained.exporter().apply(Map.of("name", model,
                        "version", Integer.toString(version), "training_run_id", runId.toString())),
                metrics, trained.params(), runId, evaluations)));
    }

    /** Announces a committed version; on failure removes it, so nothing stays half-published. */
    void announce(VersionInfo v) {
        ModelPublished event = new ModelPublished(v.name(), v.version(), v.format(), v.sha256(), v.metrics(), v.createdAt());
        try {
            withRetries("announce " + v.name() + "/" + v.version() + " on fmnist.models", () -> {
                publisher.publish(event).await().atMost(Duration.ofSeconds(15));
                return null;
            });
        } catch (RuntimeException e) {
            try {
                registry.deleteUnpublished(v.name(), v.version());
            } catch (SQLException cleanup) {
                LOG.errorf("version %s/%d could not be announced nor removed: %s", v.name(), v.version(), cleanup.getMessage());
            }
            // a secured broker's refusal (credentials, a missing ACL) in the words of KafkaAccess: the channel's
            // producer retries a refusal until the announcement times out, so ask the broker what it refuses
            String what = v.name() + "/" + v.version() + " on " + Topics.MODELS;
            Optional<String> refusal = KafkaAccess.isAccessFailure(e) ? Optional.of(KafkaAccess.explain(e))
                    : publisher.accessProblem();
            if (refusal.isPresent()) {
                throw new AnnouncementRefusedException("Kafka refused the announcement of " + what
                        + publisher.principal().map(p -> " by principal " + p).orElse("") + ", so the version was withdrawn: "
                        + refusal.get(), e);
            }
            String why = e.getMessage() != null ? e.getMessage()
                    : "no acknowledgement within 15 s (the channel's errors above say why)";
            throw new IllegalStateException("Kafka did not acknowledge " + v.name() + "/" + v.version()
                    + " after " + config.publishAttempts() + " attempts; the version was withdrawn: " + why, e);
        }
        withRetries("mark " + v.name() + "/" + v.version() + " published", () -> {
            registry.markPublished(v.name(), v.version());
            return null;
        });
    }

    interface Step<T> {
        T run() throws Exception;
    }

    /** Bounded retries with exponential backoff (1 s, 2 s, ...), then a clear failure. */
    <T> T withRetries(String what, Step<T> step) {
        Exception last = null;
        for (int attempt = 1; attempt <= config.publishAttempts(); attempt++) {
            try {
                return step.run();
            } catch (Exception e) {
                last = e;
                LOG.warnf("%s failed (attempt %d of %d): %s", what, attempt, config.publishAttempts(),
                        KafkaAccess.isAccessFailure(e) ? KafkaAccess.explain(e)
                                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
                if (attempt < config.publishAttempts()) {
                    try {
                        Thread.sleep(1000L << (attempt - 1));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        throw new IllegalStateException(what + " failed after " + config.publishAttempts() + " attempts: "
                + (last == null ? "interrupted" : last.getMessage()), last);
    }

    private static TrainingListener fanOut(TrainingListener a, TrainingListener b) {
        return new TrainingListener() {
            @Override
            public void stage(String model, String stage) {
                a.stage(model, stage);
                b.stage(model, stage);
            }

            @Override
            public void progress(String model, long done, long total) {
                a.progress(model, done, total);
                b.progress(model, done, total);
            }

            @Override
            public void epoch(String model, EpochMetrics metrics) {
                a.epoch(model, metrics);
                b.epoch(model, metrics);
            }
        };
    }

    void onStop(@Observes ShutdownEvent event) {
        worker.shutdownNow();
    }
}
