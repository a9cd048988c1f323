package dev.fmnist.trainer.service;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.registry.StoredModel;
import dev.fmnist.trainer.cnn.DjlCnnTrainer;
import dev.fmnist.trainer.cnn.OnnxCnnModel;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.xgboost.XgboostModel;

/** Opens a registered artifact for scoring, by its format. */
public final class StoredModelScorers {
    private StoredModelScorers() {
    }

    public static TrainedModel.Scorer open(StoredModel model, int threads) {
        if (ModelPublished.FORMAT_ONNX.equals(model.format())) {
            OnnxCnnModel onnx = new OnnxCnnModel(model.artifact(), threads);
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
        if (ModelPublished.FORMAT_XGBOOST_UBJ.equals(model.format())) {
            XgboostModel booster = XgboostModel.load(model.artifact(), threads);
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
        throw new IllegalArgumentException("cannot score artifacts of format " + model.format());
    }
}
