package dev.fmnist.runtime.scoring;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Where a model runs, as configured ({@code inference.execution-provider=auto|cuda|cpu}):
 * <ul>
 * <li>{@code cpu}: the CPU, always.</li>
 * <li>{@code cuda}: the first CUDA GPU; fails with a message naming the reason when there is none
 *     (a CPU-only build of ONNX Runtime, or no usable GPU or driver).</li>
 * <li>{@code auto}: for ONNX Runtime, CUDA when available, else the CPU, with one log line (per engine
 *     and JVM) that names why CUDA was not used: the build has no CUDA provider, or the provider cannot
 *     start, or it fails when a session is created on a machine without a usable GPU. XGBoost stays on
 *     the CPU under {@code auto}, measured faster there ({@link #chooseForXgboost}).</li>
 * </ul>
 * CUDA builds of the engines come with the Maven profile {@code cuda}.
 */
public enum ExecutionProvider {
    AUTO, CUDA, CPU;

    /** What was actually chosen, and why. */
    public enum Chosen {
        CPU, CUDA
    }

    private static final Logger LOG = Logger.getLogger(ExecutionProvider.class);
    /** Engines whose CPU fallback was already logged: the line appears once per JVM, not once per model. */
    private static final Set<String> FALLBACK_LOGGED = ConcurrentHashMap.newKeySet();

    /** Parses {@code auto}, {@code cuda} or {@code cpu} (any case). */
    public static ExecutionProvider parse(String value) {
        if (value != null) {
            for (ExecutionProvider p : values()) {
                if (p.name().equalsIgnoreCase(value.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("execution provider must be one of auto, cuda, cpu; got '" + value + "'");
    }

    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Adds the CUDA execution provider to ONNX Runtime session options when this setting asks for
     * it and it is available; returns what the session will run on. TF32 is off ({@code use_tf32=0},
     * ONNX Runtime's default is on): with it, an NVIDIA H200 scored lenet and cnn up to 1.7e-3 away
     * from the CPU in probability (results/gpu-check.md), beyond the 1e-4 that every other engine pair
     * of this platform keeps (ONNX against the training engine, CUDA against CPU).
     *
     * @throws CudaUnavailableException when {@code cuda} is asked for and cannot be had
     */
    public Chosen configure(OrtSession.SessionOptions options) {
        if (this == CPU) {
            return Chosen.CPU;
        }
        String reason;
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        if (!available.contains(OrtProvider.CUDA)) {
            reason = "this ONNX Runtime build has no CUDA execution provider (available: " + available
                    + "; build with the Maven profile cuda for onnxruntime_gpu)";
        } else {
            try {
                OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(0); // the session options own it from here
                cuda.add("use_tf32", "0");
                options.addCUDA(cuda);
                return Chosen.CUDA;
            } catch (OrtException | RuntimeException | LinkageError e) {
                reason = "ONNX Runtime could not start its CUDA execution provider on GPU 0: " + e.getMessage();
            }
        }
        return fallBack("ONNX Runtime", reason);
    }

    /**
     * Why {@code auto} keeps XGBoost on the CPU even where its CUDA build and a GPU are there: measured on an
     * NVIDIA H200 with 16 CPU cores on 2026-12-04 (results/gpu-check.md), its CUDA predictor scored the
     * registered xgboost at 0.06x the CPU's rate one image a call, 0.52x at batch 256 and 1.03x at 4,096 (the
     * forest 0.04x, 0.86x, 0.99x), with the same labels. The service's micro-batches are at most 256 images.
     */
    static final String XGBOOST_AUTO_STAYS_ON_CPU = "'auto' keeps it there: on an NVIDIA H200 with 16 CPU cores its "
            + "CUDA predictor was slower than the CPU at every batch up to 4,096 images (results/gpu-check.md); set "
            + "inference.execution-provider=cuda to use the GPU anyway";

    /**
     * The same choice for XGBoost, its {@code device} parameter, except that {@code auto} means the CPU
     * ({@link #XGBOOST_AUTO_STAYS_ON_CPU}): only {@code cuda} puts XGBoost on the GPU.
     */
    public Chosen chooseForXgboost(boolean cudaAvailable, String unavailableReason) {
        if (this == CPU) {
            return Chosen.CPU;
        }
        if (this == AUTO) {
            return fallBack("XGBoost", cudaAvailable ? XGBOOST_AUTO_STAYS_ON_CPU : unavailableReason);
        }
        if (cudaAvailable) {
            return Chosen.CUDA;
        }
        return fallBack("XGBoost", unavailableReason);
    }

    /**
     * CUDA cannot be had for {@code engine}, for {@code reason}: 'cuda' fails with it, 'auto' goes on on the CPU
     * and says why in one log line (per engine and JVM).
     */
    Chosen fallBack(String engine, String reason) {
        if (this == CUDA) {
            throw new CudaUnavailableException("execution provider 'cuda' was asked for, but " + reason
                    + ". Use 'auto' to fall back to the CPU, or 'cpu'.");
        }
        if (FALLBACK_LOGGED.add(engine)) {
            LOG.infof("%s runs on the CPU: %s", engine, reason);
        }
        return Chosen.CPU;
    }

    /** {@code cuda} was configured but no CUDA device can be used. */
    public static final class CudaUnavailableException extends IllegalStateException {
        public CudaUnavailableException(String message) {
            super(message);
        }
    }
}
