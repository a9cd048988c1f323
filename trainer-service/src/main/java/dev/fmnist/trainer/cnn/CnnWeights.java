package dev.fmnist.trainer.cnn;

import java.util.List;
import java.util.Map;

/**
 * Learned parameters of a {@link CnnArchitecture}, engine-neutral: for each layer (same index as
 * {@code architecture.layers()}) its named arrays in the training engine's layout (conv weight
 * {@code [out, in, k, k]}, dense weight {@code [out, in]}, batch norm gamma, beta, runningMean,
 * runningVar). Layers without parameters have an empty map.
 */
public record CnnWeights(CnnArchitecture architecture, List<Map<String, float[]>> layers) {

    public float[] get(int layer, String name) {
        float[] values = layers.get(layer).get(name);
        if (values == null) {
            throw new IllegalStateException("layer " + layer + " (" + architecture.layers().get(layer)
                    + ") has no parameter '" + name + "', only " + layers.get(layer).keySet());
        }
        return values;
    }
}
