package dev.fmnist.explainer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.xai.MethodAgreement;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/**
 * One registered model version as the paper reports it, read live from the registry (schema {@code
 * registry}, written by trainer-service) and from the stored predictions: evaluation per split
 * (accuracy, per-class accuracy, confusion matrix), accuracy and loss per epoch, and the accuracy on
 * the labelled traffic seen since.
 *
 * <p>Registered for reflection with its nested records: native images serialise them with Jackson.
 */
@RegisterForReflection(targets = {ModelReport.class, ModelReport.Evaluation.class, ModelReport.Epoch.class,
        LiveAccuracy.class, ModelVersionSummary.class, MethodAgreement.class})
public record ModelReport(String name, int version, String format, Instant createdAt, List<String> classNames,
                          JsonNode metrics,
                          JsonNode params, List<Evaluation> evaluations, List<Epoch> epochs, LiveAccuracy live,
                          String importance) {

    /** This report with the live accuracy and the link to an importance map (null where the model has none). */
    public ModelReport with(LiveAccuracy liveAccuracy, String importanceHref) {
        return new ModelReport(name, version, format, createdAt, classNames, metrics, params, evaluations, epochs, liveAccuracy,
                importanceHref);
    }

    /** The evaluation of one split; {@code confusionMatrix[true][predicted]}. */
    public record Evaluation(String split, int images, double accuracy, Double[] perClassAccuracy,
                             int[][] confusionMatrix) {
    }

    /** One training epoch; null where the trainer did not measure a figure (e.g. XGBoost rounds). */
    public record Epoch(int epoch, Double trainLoss, Double trainAccuracy, Double validationLoss,
                        Double validationAccuracy, Double learningRate, Double seconds, Double imagesPerSecond) {
    }
}
