package dev.fmnist.trainer.service;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.trainer.cnn.DjlCnnTrainer;
import dev.fmnist.trainer.cnn.OnnxCnnModel;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.xgboost.XgboostModel;

/** Opens artifacts for scoring: the one place that knows how each format is scored. */
public final class StoredModelScorers {
    private StoredModelScorers() {
    }

    /** A registered artifact, by its format. */
    public static TrainedModel.Scorer open(StoredModel model, int threads) {
        if (ModelPublished.FORMAT_ONNX.equals(model.format())) {
            return onnx(model.artifact(), threads);
        }
        if (ModelPublished.FORMAT_XGBOOST_UBJ.equals(model.format())) {
            return xgboost(XgboostModel.load(model.artifact(), threads));
        }
        throw new IllegalArgumentException("cannot score artifacts of format " + model.format());
    }

    /** An ONNX CNN in ONNX Runtime (CPU). */
    public static TrainedModel.Scorer onnx(byte[] artifact, int threads) {
        OnnxCnnModel onnx = new OnnxCnnModel(artifact, threads);
        return new TrainedModel.Scorer() {
            @Override
            public float[] probabilities(LabelledImages images) {
                return onnx.probabilities(DjlCnnTrainer.toInput(images), images.size());
            }

            @Override
            public void close() {
                onnx.close();
            }
        };
    }

    /** An XGBoost booster; closing the scorer closes the booster. */
    public static TrainedModel.Scorer xgboost(XgboostModel booster) {
        return new TrainedModel.Scorer() {
            @Override
            public float[] probabilities(LabelledImages images) {
                return booster.predictProbabilities(images);
            }

            @Override
            public void close() {
                booster.close();
            }
        };
    }
}
