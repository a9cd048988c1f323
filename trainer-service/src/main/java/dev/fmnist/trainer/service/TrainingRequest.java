package dev.fmnist.trainer.service;

import dev.fmnist.common.messaging.ModelNames;
import java.util.List;

/**
 * What to train: {@code model} is {@code lenet}, {@code cnn}, {@code xgboost} or {@code all}.
 *
 * @param epochs null keeps each model's default
 * @param limit  0 = the full dataset
 * @param outDir folder for the human-readable copies; null = the configured one
 */
public record TrainingRequest(String model, Integer epochs, int limit, String outDir) {

    public TrainingRequest {
        if (model == null || !(ModelNames.ALL.equals(model) || ModelNames.isKnown(model))) {
            throw new IllegalArgumentException("unknown model '" + model + "', expected one of lenet, cnn, xgboost or all");
        }
        if (epochs != null && epochs < 1) {
            throw new IllegalArgumentException("epochs must be a positive number, got " + epochs);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (all) or a positive number of images, got " + limit);
        }
    }

    /** The models in training order: the cheap baseline first. */
    public List<String> models() {
        return ModelNames.ALL.equals(model) ? List.of(ModelNames.LENET, ModelNames.XGBOOST, ModelNames.FOREST, ModelNames.CNN) : List.of(model);
    }
}
