package dev.fmnist.trainer.service;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.trainer.cnn.CnnArchitecture;
import dev.fmnist.trainer.cnn.CnnTrainingSettings;
import dev.fmnist.trainer.cnn.DjlCnnTrainer;
import dev.fmnist.trainer.cnn.OnnxCnnExporter;
import dev.fmnist.trainer.config.TrainerConfig;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.domain.TrainingOptions;
import dev.fmnist.trainer.cnn.CnnWeights;
import dev.fmnist.trainer.cnn.OnnxParity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.BiFunction;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code lenet} and {@code cnn}: DJL training, ONNX export, the export checked against the engine
 * ({@link OnnxParity}: a disagreeing export fails the training before anything is registered),
 * evaluation in ONNX Runtime.
 */
@ApplicationScoped
public class CnnModelTrainer implements ModelTrainer {
    private final TrainerConfig config;
    private final BiFunction<CnnWeights, Map<String, String>, byte[]> exporter;

    @Inject
    public CnnModelTrainer(TrainerConfig config) {
        this(config, OnnxCnnExporter::export);
    }

    /** With another ONNX exporter: the seam a test uses to hand the parity check a broken export. */
    CnnModelTrainer(TrainerConfig config, BiFunction<CnnWeights, Map<String, String>, byte[]> exporter) {
        this.config = config;
        this.exporter = exporter;
    }

    @Override
    public boolean supports(String model) {
        return ModelNames.LENET.equals(model) || ModelNames.CNN.equals(model);
    }

    /** {@code cnn} when {@code trainer.cnn.refit} is on (the default); {@code lenet} keeps the paper's protocol. */
    @Override
    public boolean refitsOnValidation(String model) {
        return ModelNames.CNN.equals(model) && config.cnnRefit();
    }

    @Override
    public TrainedModel train(String model, TrainingData data, TrainingOptions options, TrainingListener listener) {
        DjlCnnTrainer.configureEngine(Path.of(config.engineCacheDir()), options.threads());
        CnnArchitecture architecture = CnnArchitecture.byName(model);
        CnnTrainingSettings defaults = CnnTrainingSettings.defaultsFor(model);
        CnnTrainingSettings settings = defaults
                .withEpochs(options.epochs() == null ? defaults.epochs() : options.epochs())
                .withSeed(options.seed()).withThreads(options.threads());
        DjlCnnTrainer.Result result = DjlCnnTrainer.train(architecture, data.train(), data.validation(), settings, listener);

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("architecture", architecture.layers().toString());
        params.put("mirrorAveraged", architecture.mirrorAveraged());
        params.put("epochs", settings.epochs());
        params.put("batchSize", settings.batchSize());
        params.put("learningRate", settings.learningRate());
        params.put("schedule", "cosine to 1%");
        params.put("optimizer", settings.optimizer());
        params.put("weightDecay", settings.weightDecay());
        params.put("patience", settings.patience());
        params.put("seed", settings.seed());
        params.put("threads", settings.threads());
        params.put("augmentation", settings.augmentation().description());
        params.put("labelSmoothing", settings.labelSmoothing());
        params.put("weightAverageDecay", settings.averageDecay());
        params.put("refit", !data.hasValidation());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("parameters", architecture.parameterCount());
        metrics.put("multiplyAdds", architecture.multiplyAdds());
        metrics.put("epochsRun", result.epochs().size());
        metrics.put("bestEpoch", result.bestEpoch());
        metrics.put("trainSeconds", result.seconds());
        metrics.put("trainImagesPerSecond", result.imagesPerSecond());

        // evaluation runs on the exported graph, so the figures are those of the artifact that is served
        ModelScorer scorer = ModelScorers.open(model, 0, ModelPublished.FORMAT_ONNX,
                exporter.apply(result.weights(), Map.of("name", model)), ScorerOptions.cpu().withThreads(options.threads()));
        // a refit has no validation images; the check compares two engines, so training images serve as well
        LabelledImages parityImages = data.hasValidation() ? data.validation() : data.train();
        listener.stage(model, "ONNX parity check on " + Math.min(OnnxParity.IMAGES, parityImages.size())
                + (data.hasValidation() ? " validation" : " training") + " images");
        try {
            OnnxParity.Result parity = OnnxParity.check(model, result.weights(), scorer, parityImages);
            metrics.put("onnxParityImages", parity.images());
            metrics.put("onnxParityMaxDifference", parity.maxDifference());
        } catch (RuntimeException e) {
            scorer.close();
            throw e;
        }
        return new TrainedModel(model, ModelPublished.FORMAT_ONNX, meta -> exporter.apply(result.weights(), meta),
                scorer, params, metrics, result.epochs(), null);
    }
}
