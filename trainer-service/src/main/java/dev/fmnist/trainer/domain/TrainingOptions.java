package dev.fmnist.trainer.domain;

/**
 * Options of one training request that apply to every model.
 *
 * @param epochs  epochs (CNNs) or maximum boosting rounds (XGBoost); null keeps each model's default
 * @param limit   train on a stratified subset of this many images; 0 = the full dataset
 * @param seed    seeds the split, the initialisation and the batch order
 * @param threads native threads for the training engines
 * @param searchHyperParameters false skips the tree models' grid search and fits the point that the
 *                              full search chose on cross-validation ({@code XgboostModelTrainer#searchedPoint}):
 *                              the seed study's shorter runs; true for every registered training
 */
public record TrainingOptions(Integer epochs, int limit, long seed, int threads, boolean searchHyperParameters) {

    public TrainingOptions(Integer epochs, int limit, long seed, int threads) {
        this(epochs, limit, seed, threads, true);
    }

    public TrainingOptions {
        if (epochs != null && epochs < 1) {
            throw new IllegalArgumentException("epochs must be a positive number, got " + epochs);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (all) or a positive number of images, got " + limit);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }
}
