package dev.fmnist.runtime.scoring;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Tiny but real models for tests, built from real Fashion-MNIST images: an ONNX net by the
 * platform's contract (Flatten, Gemm, Softmax: a linear classifier whose weights are the class
 * templates) and an XGBoost {@code multi:softprob} booster. Shared with the services' tests
 * through common's test jar.
 */
public final class TestModels {
    private static LabelledImages sample;

    private TestModels() {
    }

    /** The first {@code n} training images (n at most 60,000); loaded once per JVM. */
    public static synchronized LabelledImages trainingSample(int n) {
        if (sample == null || sample.size() < n) {
            sample = FashionMnist.load().train().head(Math.max(n, 1000));
        }
        return sample.head(n);
    }

    /**
     * A nearest-centroid classifier in ONNX: logits_c = s (x . m_c - |m_c|^2 / 2), where m_c is the
     * mean of the training images of class c and s = {@code sharpness} / 100 (the argmax is the
     * nearest class mean; s only changes how soft the probabilities are). It classifies
     * Fashion-MNIST far above chance, enough to tell real scoring from noise; two sharpness values
     * give two versions with different probabilities.
     */
    public static byte[] templateOnnx(String name, LabelledImages images, float sharpness) {
        int k = FashionClass.COUNT;
        double[][] classMean = new double[k][Pixels.COUNT];
        int[] counts = new int[k];
        for (int i = 0; i < images.size(); i++) {
            byte[] img = images.image(i);
            int label = images.label(i);
            counts[label]++;
            for (int p = 0; p < Pixels.COUNT; p++) {
                classMean[label][p] += (img[p] & 0xFF) / 255.0;
            }
        }
        float s = sharpness / 100f;
        float[] w = new float[Pixels.COUNT * k]; // [784, 10] row-major: Gemm without transpose
        float[] b = new float[k];
        for (int c = 0; c < k; c++) {
            double norm = 0;
            for (int p = 0; p < Pixels.COUNT; p++) {
                double m = classMean[c][p] / Math.max(1, counts[c]);
                w[p * k + c] = (float) (s * m);
                norm += m * m;
            }
            b[c] = (float) (-s * norm / 2);
        }
        return linearOnnx(name, w, b);
    }

    /** Flatten, Gemm ({@code [784,10]} weights), Softmax: ONNX contract input {@code image}, outputs logits and probabilities. */
    public static byte[] linearOnnx(String name, float[] weights, float[] bias) {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(name);
        g.addInput(tensorInfo("image", 1, Pixels.SIDE, Pixels.SIDE));
        g.addInitializer(floatTensor("W", weights, Pixels.COUNT, FashionClass.COUNT));
        g.addInitializer(floatTensor("B", bias, FashionClass.COUNT));
        g.addNode(node("Flatten", List.of("image"), "flat", intAttr("axis", 1)));
        g.addNode(node("Gemm", List.of("flat", "W", "B"), "logits"));
        g.addNode(node("Softmax", List.of("logits"), "probabilities", intAttr("axis", 1)));
        g.addOutput(tensorInfo("logits", FashionClass.COUNT));
        g.addOutput(tensorInfo("probabilities", FashionClass.COUNT));
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("fmnist-tests")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("name").setValue(name))
                .setGraph(g)
                .build().toByteArray();
    }

    /** An ONNX model that breaks the contract: its input is named {@code x}. */
    public static byte[] wrongInputOnnx() {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("wrong");
        g.addInput(tensorInfo("x", FashionClass.COUNT));
        g.addNode(node("Softmax", List.of("x"), "probabilities", intAttr("axis", 1)));
        g.addOutput(tensorInfo("probabilities", FashionClass.COUNT));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build().toByteArray();
    }

    /** An XGBoost {@code multi:softprob} booster trained on {@code images}, as UBJSON bytes. */
    public static byte[] xgboostUbj(LabelledImages images, int rounds, int maxDepth) {
        return ubj(images, rounds, maxDepth, Map.of("eta", 0.3));
    }

    /**
     * A random forest in XGBoost's random-forest mode (the {@code forest} model): {@code trees} trees
     * per class in one round at learning rate 1, rows and columns subsampled, as UBJSON bytes.
     */
    public static byte[] forestUbj(LabelledImages images, int trees, int maxDepth) {
        return ubj(images, 1, maxDepth, Map.of("eta", 1.0, "num_parallel_tree", trees, "subsample", 0.632,
                "colsample_bynode", 0.2));
    }

    private static byte[] ubj(LabelledImages images, int rounds, int maxDepth, Map<String, Object> ensemble) {
        int n = images.size();
        float[] x = new float[n * Pixels.COUNT];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            Pixels.toModelInput(images.image(i), x, i * Pixels.COUNT);
            y[i] = images.label(i);
        }
        DMatrix train = null;
        Booster booster = null;
        try {
            train = new DMatrix(x, n, Pixels.COUNT, Float.NaN);
            train.setLabel(y);
            Map<String, Object> params = new HashMap<>();
            params.put("objective", "multi:softprob");
            params.put("num_class", FashionClass.COUNT);
            params.put("tree_method", "hist");
            params.put("max_depth", maxDepth);
            params.putAll(ensemble);
            params.put("nthread", 1);
            params.put("seed", 42);
            booster = XGBoost.train(train, params, rounds, new HashMap<>(), null, null);
            return booster.toByteArray("ubj");
        } catch (XGBoostError e) {
            throw new IllegalStateException("training the test XGBoost model failed", e);
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            if (train != null) {
                train.dispose();
            }
        }
    }

    /** The model input of images {@code from..from+n} of a set: {@code pixel / 255}. */
    public static float[] input(LabelledImages images, int from, int n) {
        float[] out = new float[n * Pixels.COUNT];
        for (int i = 0; i < n; i++) {
            Pixels.toModelInput(images.image(from + i), out, i * Pixels.COUNT);
        }
        return out;
    }

    private static OnnxMl.ValueInfoProto tensorInfo(String name, int... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto floatTensor(String name, float[] values, int... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(raw.array()));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static OnnxMl.NodeProto node(String op, List<String> inputs, String output, OnnxMl.AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output + "_" + op)
                .addAllInput(inputs).addOutput(output);
        for (OnnxMl.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    private static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
    }
}
