package dev.fmnist.trainer.domain;

/** Loss and accuracy of one epoch (one boosting round for XGBoost), on training and validation data. */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                           double validationAccuracy, double learningRate, double seconds, double imagesPerSecond) {
}
