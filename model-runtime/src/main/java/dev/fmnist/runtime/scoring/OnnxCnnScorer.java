package dev.fmnist.runtime.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ModelPublished;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A CNN in ONNX Runtime, by the platform's ONNX contract: input {@code image} float32
 * {@code [N,1,28,28]}, output {@code probabilities} float32 {@code [N,10]} (docs/architecture.md, "ONNX contract").
 *
 * <p>Input and output go through direct buffers that are kept and reused (one pair per concurrent
 * caller), so a call copies the images once into native-readable memory and allocates nothing but
 * its result. Calls may run concurrently: ONNX Runtime sessions are thread-safe.
 */
public final class OnnxCnnScorer extends AbstractModelScorer {
    public static final String INPUT = "image";
    public static final String PROBABILITIES = "probabilities";
    /** Nothing is returned as a new value: the probabilities are written into the pinned output buffer. */
    private static final Set<String> NEW_OUTPUTS = Set.of();

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final ExecutionProvider.Chosen provider;
    private final ConcurrentLinkedDeque<Buffers> pool = new ConcurrentLinkedDeque<>();

    /** Reusable native-order buffers of one caller: input {@code [maxBatch,784]}, output {@code [maxBatch,10]}. */
    private record Buffers(FloatBuffer input, FloatBuffer output) {
    }

    /**
     * How sessions are made: a seam so that a test can make the CUDA execution provider fail when the session is
     * created, as it does on a CUDA build on a machine whose GPU or driver cannot be used.
     */
    interface Sessions {
        /** Adds the execution provider {@code requested} asks for to {@code options}; returns what it chose. */
        ExecutionProvider.Chosen configure(ExecutionProvider requested, OrtSession.SessionOptions options);

        OrtSession create(OrtEnvironment env, byte[] onnx, OrtSession.SessionOptions options) throws OrtException;
    }

    /** ONNX Runtime itself. */
    static final Sessions ORT = new Sessions() {
        @Override
        public ExecutionProvider.Chosen configure(ExecutionProvider requested, OrtSession.SessionOptions options) {
            return requested.configure(options);
        }

        @Override
        public OrtSession create(OrtEnvironment env, byte[] onnx, OrtSession.SessionOptions options) throws OrtException {
            return env.createSession(onnx, options);
        }
    };

    public OnnxCnnScorer(String name, int version, byte[] onnx, ScorerOptions scorerOptions) {
        this(name, version, onnx, scorerOptions, ORT);
    }

    OnnxCnnScorer(String name, int version, byte[] onnx, ScorerOptions scorerOptions, Sessions sessions) {
        super(name, version, ModelPublished.FORMAT_ONNX, scorerOptions.maxBatch());
        OrtSession.SessionOptions opts = null;
        OrtSession created = null;
        try {
            opts = sessionOptions(scorerOptions);
            ExecutionProvider.Chosen chosen = sessions.configure(scorerOptions.provider(), opts);
            try {
                created = sessions.create(env, onnx, opts);
            } catch (OrtException | RuntimeException e) {
                if (chosen != ExecutionProvider.Chosen.CUDA) {
                    throw e;
                }
                // The provider is in the build, but the GPU or its driver cannot be used: 'auto' goes on on the CPU
                // (one log line), 'cuda' fails with the reason.
                closeQuietly(null, opts);
                opts = null;
                chosen = scorerOptions.provider().fallBack("ONNX Runtime",
                        "its CUDA execution provider failed when the session was created: " + e.getMessage());
                opts = sessionOptions(scorerOptions);
                created = sessions.create(env, onnx, opts);
            }
            this.provider = chosen;
            checkContract(created);
        } catch (OrtException e) {
            closeQuietly(created, opts);
            throw new IllegalArgumentException("ONNX Runtime refused " + name + "/" + version + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(created, opts);
            throw e;
        }
        this.options = opts;
        this.session = created;
    }

    private static OrtSession.SessionOptions sessionOptions(ScorerOptions scorerOptions) throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        try {
            opts.setIntraOpNumThreads(scorerOptions.effectiveThreads());
            opts.setInterOpNumThreads(1);
            if (!scorerOptions.spinning()) {
                opts.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return opts;
        } catch (OrtException | RuntimeException e) {
            opts.close();
            throw e;
        }
    }

    private void checkContract(OrtSession s) throws OrtException {
        Map<String, NodeInfo> inputs = s.getInputInfo();
        Map<String, NodeInfo> outputs = s.getOutputInfo();
        if (!inputs.containsKey(INPUT) || !outputs.containsKey(PROBABILITIES)) {
            throw new IllegalArgumentException(name + "/" + version + " does not follow the ONNX contract: inputs "
                    + inputs.keySet() + ", outputs " + outputs.keySet() + "; expected input '" + INPUT
                    + "' and output '" + PROBABILITIES + "'");
        }
        if (inputs.get(INPUT).getInfo() instanceof TensorInfo t) {
            long[] shape = t.getShape();
            if (shape.length != 4 || shape[1] != 1 || shape[2] != Pixels.SIDE || shape[3] != Pixels.SIDE) {
                throw new IllegalArgumentException(name + "/" + version + " takes input of shape "
                        + java.util.Arrays.toString(shape) + ", expected [N,1,28,28]");
            }
        }
    }

    @Override
    public ExecutionProvider.Chosen provider() {
        return provider;
    }

    @Override
    public float[] score(float[] input, int n) {
        ModelScorer.requireInput(input, n);
        float[] out = new float[n * OUTPUT_SIZE];
        Buffers buffers = pool.pollFirst();
        if (buffers == null) {
            buffers = new Buffers(direct(maxBatch * INPUT_SIZE), direct(maxBatch * OUTPUT_SIZE));
        }
        try {
            for (int from = 0; from < n; from += maxBatch) {
                int b = Math.min(maxBatch, n - from);
                run(buffers, input, from, b, out);
            }
        } finally {
            pool.offerFirst(buffers);
        }
        return out;
    }

    private void run(Buffers buffers, float[] input, int from, int b, float[] out) {
        FloatBuffer in = buffers.input().clear();
        in.put(input, from * INPUT_SIZE, b * INPUT_SIZE).flip();
        FloatBuffer probs = buffers.output().clear().limit(b * OUTPUT_SIZE);
        try (OnnxTensor x = OnnxTensor.createTensor(env, in, new long[] {b, 1, Pixels.SIDE, Pixels.SIDE});
             OnnxTensor y = OnnxTensor.createTensor(env, probs, new long[] {b, OUTPUT_SIZE});
             OrtSession.Result ignored = session.run(Map.of(INPUT, x), NEW_OUTPUTS, Map.of(PROBABILITIES, y))) {
            // the probabilities were written into the pinned output buffer
            probs.rewind();
            probs.get(out, from * OUTPUT_SIZE, b * OUTPUT_SIZE);
        } catch (OrtException e) {
            throw new ScoringException("ONNX Runtime failed to score " + b + " images with " + name + "/" + version
                    + ": " + e.getMessage(), e);
        }
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The model's metadata properties (name, version, training run). */
    public Map<String, String> metadata() {
        try {
            return session.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new ScoringException("cannot read the metadata of " + name + "/" + version, e);
        }
    }

    @Override
    public void close() {
        pool.clear();
        closeQuietly(session, options);
    }

    private static void closeQuietly(OrtSession session, OrtSession.SessionOptions options) {
        try {
            if (session != null) {
                session.close();
            }
        } catch (OrtException e) {
            // nothing left to free
        }
        if (options != null) {
            options.close();
        }
    }
}
