package dev.fmnist.trainer.domain;

import dev.fmnist.runtime.scoring.ModelScorer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A model fresh from training, before registration.
 *
 * @param format      registry format ({@code onnx}, {@code xgboost-ubj})
 * @param exporter    serialises the artifact with the given metadata (name, version, training run id)
 * @param scorer      the artifact as the services score it (model-runtime), for evaluation; closed by the caller
 * @param params      hyper-parameters and settings, stored with the version
 * @param metrics     figures of the training itself (seconds, images/s, parameters, best epoch, ...)
 * @param importance  a 28x28 feature-importance map, or null
 */
public record TrainedModel(String name, String format, Function<Map<String, String>, byte[]> exporter, ModelScorer scorer,
                           Map<String, Object> params, Map<String, Object> metrics, List<EpochMetrics> epochs,
                           float[] importance) {
}
