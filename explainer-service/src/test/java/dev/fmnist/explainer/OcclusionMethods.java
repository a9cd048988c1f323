package dev.fmnist.explainer;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.scoring.ModelScorer;
import dev.fmnist.explainer.domain.Attribution;
import dev.fmnist.explainer.domain.AttributionMethod;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Stand-ins for the real algorithms while they are written on another branch: grid occlusion (each
 * 4x4 cell's weight is how much hiding it lowers the explained class), registered under the names of
 * the real methods so the service's pipeline can be tested end to end. Test sources only.
 */
public final class OcclusionMethods {
    private static final int CELL = 4;
    private static final int CELLS = Pixels.SIDE / CELL;

    private OcclusionMethods() {
    }

    static Attribution occlusion(String name, ModelScorer model, float[] image, int target) {
        long t0 = System.nanoTime();
        int segments = CELLS * CELLS;
        short[] seg = new short[Pixels.COUNT];
        for (int i = 0; i < Pixels.COUNT; i++) {
            seg[i] = (short) ((i / Pixels.SIDE / CELL) * CELLS + (i % Pixels.SIDE) / CELL);
        }
        float[] batch = new float[(segments + 2) * Pixels.COUNT];
        System.arraycopy(image, 0, batch, 0, Pixels.COUNT); // row 0: the image; row 1: all hidden (zeros)
        for (int s = 0; s < segments; s++) {
            int row = (s + 2) * Pixels.COUNT;
            for (int i = 0; i < Pixels.COUNT; i++) {
                batch[row + i] = seg[i] == s ? 0f : image[i];
            }
        }
        float[] p = model.score(batch, segments + 2);
        double full = p[target];
        double base = p[ModelScorer.OUTPUT_SIZE + target];
        float[] weights = new float[segments];
        for (int s = 0; s < segments; s++) {
            weights[s] = (float) (full - p[(s + 2) * ModelScorer.OUTPUT_SIZE + target]);
        }
        float[] perPixel = new float[Pixels.COUNT];
        for (int i = 0; i < Pixels.COUNT; i++) {
            perPixel[i] = weights[seg[i]] / (CELL * CELL);
        }
        return new Attribution(name, target, seg, weights, perPixel, base, full, null, null, null, null, 0.5,
                segments + 2, (System.nanoTime() - t0) / 1e6);
    }

    @ApplicationScoped
    public static class Lime implements AttributionMethod {
        @Override
        public String name() {
            return "lime";
        }

        @Override
        public boolean supports(ModelScorer model) {
            return true;
        }

        @Override
        public Attribution explain(ModelScorer model, float[] image, int targetClass, long seed) {
            return occlusion(name(), model, image, targetClass);
        }
    }

    @ApplicationScoped
    public static class KernelShap implements AttributionMethod {
        @Override
        public String name() {
            return "kernel_shap";
        }

        @Override
        public boolean supports(ModelScorer model) {
            return true;
        }

        @Override
        public Attribution explain(ModelScorer model, float[] image, int targetClass, long seed) {
            return occlusion(name(), model, image, targetClass);
        }
    }
}
