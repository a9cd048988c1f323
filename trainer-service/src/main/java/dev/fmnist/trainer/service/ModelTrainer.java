package dev.fmnist.trainer.service;

import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.domain.TrainingOptions;

/** Trains one kind of model. One implementation per engine (DJL CNNs, XGBoost4J). */
public interface ModelTrainer {
    boolean supports(String model);

    TrainedModel train(String model, TrainingData data, TrainingOptions options, TrainingListener listener);

    /**
     * Whether the registered {@code model} is the final fit on training and validation images together
     * ({@link TrainingData#refit()}): then {@link #train} receives no validation set, trains for its
     * chosen number of epochs and keeps the last, and the version has no validation figures.
     */
    default boolean refitsOnValidation(String model) {
        return false;
    }
}
