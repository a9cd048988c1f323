package dev.fmnist.trainer.cnn;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained CNN as an ONNX model from its learned weights (docs/architecture.md, "ONNX contract"):
 * input {@code image} float32 {@code [N,1,28,28]}, outputs {@code logits} and {@code probabilities}
 * float32 {@code [N,10]}, opset 17, IR version 8, metadata with name, version and training run.
 *
 * <p>The graph is assembled from the ONNX protobuf classes shipped by {@code tribuo-util-onnx}.
 * Tribuo's own graph builder covers only two-dimensional inputs and lacks the convolution and
 * pooling operators, so nodes are written directly; batch norm is folded into the preceding
 * convolution and dropout is left out, as both are identities at inference time.
 */
public final class OnnxCnnExporter {
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;
    public static final String INPUT = "image";
    public static final String LOGITS = "logits";
    public static final String PROBABILITIES = "probabilities";

    private OnnxCnnExporter() {
    }

    /** Serialized ONNX model; {@code metadata} goes into the model's metadata properties. */
    public static byte[] export(CnnWeights weights, Map<String, String> metadata) {
        CnnArchitecture arch = weights.architecture();
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName(arch.name());
        graph.addInput(tensorInfo(INPUT, "N", 1, Pixels.SIDE, Pixels.SIDE));
        String current = INPUT;
        if (arch.mirrorAveraged()) {
            // both views go through the network as one batch of 2N: the image, then its mirror (width reversed)
            graph.addInitializer(longTensor("mirror.starts", -1));
            graph.addInitializer(longTensor("mirror.ends", Long.MIN_VALUE));
            graph.addInitializer(longTensor("mirror.axes", 3));
            graph.addInitializer(longTensor("mirror.steps", -1));
            graph.addNode(node("Slice", "mirror", List.of(INPUT, "mirror.starts", "mirror.ends", "mirror.axes",
                    "mirror.steps"), "mirror"));
            graph.addNode(node("Concat", "views", List.of(INPUT, "mirror"), "views", intAttr("axis", 0)));
            current = "views";
        }
        List<CnnArchitecture.Layer> layers = arch.layers();
        int inChannels = 1;
        int flatSize = -1;
        for (int i = 0; i < layers.size(); i++) {
            CnnArchitecture.Layer layer = layers.get(i);
            String out = "l" + i;
            if (layer instanceof CnnArchitecture.Conv c) {
                float[] w = weights.get(i, "weight").clone();
                float[] b = weights.layers().get(i).containsKey("bias") ? weights.get(i, "bias").clone()
                        : new float[c.filters()];
                if (i + 1 < layers.size() && layers.get(i + 1) instanceof CnnArchitecture.BatchNorm) {
                    foldBatchNorm(w, b, weights, i + 1, c.filters());
                }
                graph.addInitializer(floatTensor(out + ".weight", w, c.filters(), inChannels, c.kernel(), c.kernel()));
                graph.addInitializer(floatTensor(out + ".bias", b, c.filters()));
                graph.addNode(node("Conv", out, List.of(current, out + ".weight", out + ".bias"), out,
                        ints("kernel_shape", c.kernel(), c.kernel()),
                        ints("pads", c.padding(), c.padding(), c.padding(), c.padding()),
                        ints("strides", 1, 1)));
                inChannels = c.filters();
            } else if (layer instanceof CnnArchitecture.BatchNorm) {
                if (i == 0 || !(layers.get(i - 1) instanceof CnnArchitecture.Conv)) {
                    throw new IllegalArgumentException("batch norm must follow a convolution to be folded (layer " + i + ")");
                }
                continue; // folded
            } else if (layer instanceof CnnArchitecture.Dropout) {
                continue; // identity at inference
            } else if (layer instanceof CnnArchitecture.Relu) {
                graph.addNode(node("Relu", out, List.of(current), out));
            } else if (layer instanceof CnnArchitecture.AvgPool p) {
                graph.addNode(node("AveragePool", out, List.of(current), out,
                        ints("kernel_shape", p.size(), p.size()), ints("strides", p.size(), p.size())));
            } else if (layer instanceof CnnArchitecture.MaxPool p) {
                graph.addNode(node("MaxPool", out, List.of(current), out,
                        ints("kernel_shape", p.size(), p.size()), ints("strides", p.size(), p.size())));
            } else if (layer instanceof CnnArchitecture.Flatten) {
                graph.addNode(node("Flatten", out, List.of(current), out, intAttr("axis", 1)));
                flatSize = (int) arch.describe().get(i).channels();
            } else if (layer instanceof CnnArchitecture.Dense d) {
                float[] w = weights.get(i, "weight");
                int in = w.length / d.units();
                if (flatSize >= 0 && in != flatSize) {
                    throw new IllegalStateException("dense layer " + i + " expects " + in + " inputs, the graph gives " + flatSize);
                }
                graph.addInitializer(floatTensor(out + ".weight", w, d.units(), in));
                graph.addInitializer(floatTensor(out + ".bias", weights.get(i, "bias"), d.units()));
                // DJL stores dense weights as [out, in]: Gemm computes x * W^T + b
                graph.addNode(node("Gemm", out, List.of(current, out + ".weight", out + ".bias"), out,
                        intAttr("transB", 1)));
                flatSize = d.units();
            } else {
                throw new IllegalArgumentException("unsupported layer " + layer);
            }
            current = out;
        }
        if (arch.mirrorAveraged()) {
            // [2N, 10] -> [2, N, 10] -> the mean of the two views' logits, [N, 10]
            graph.addInitializer(longTensor("views.shape", 2, -1, FashionClass.COUNT));
            graph.addNode(node("Reshape", "views.logits", List.of(current, "views.shape"), "views.logits"));
            graph.addNode(node("ReduceMean", LOGITS, List.of("views.logits"), LOGITS, ints("axes", 0),
                    intAttr("keepdims", 0)));
        } else {
            graph.addNode(node("Identity", LOGITS, List.of(current), LOGITS));
        }
        graph.addNode(node("Softmax", PROBABILITIES, List.of(LOGITS), PROBABILITIES, intAttr("axis", 1)));
        graph.addOutput(tensorInfo(LOGITS, "N", FashionClass.COUNT));
        graph.addOutput(tensorInfo(PROBABILITIES, "N", FashionClass.COUNT));

        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("fmnist-trainer")
                .setProducerVersion("1")
                .setDomain("dev.fmnist")
                .setDocString(arch.name() + ": " + arch.parameterCount() + " parameters, "
                        + arch.multiplyAdds() + " multiply-adds per image"
                        + (arch.mirrorAveraged() ? " (the image and its mirror, logits averaged)" : ""))
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        Map<String, String> props = new LinkedHashMap<>(metadata);
        props.putIfAbsent("name", arch.name());
        props.forEach((k, v) -> model.addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build().toByteArray();
    }

    /** w' = w * gamma / sqrt(var + eps); b' = (b - mean) * gamma / sqrt(var + eps) + beta. */
    private static void foldBatchNorm(float[] w, float[] b, CnnWeights weights, int bnLayer, int channels) {
        float[] gamma = weights.get(bnLayer, "gamma");
        float[] beta = weights.get(bnLayer, "beta");
        float[] mean = weights.get(bnLayer, "runningMean");
        float[] var = weights.get(bnLayer, "runningVar");
        int perChannel = w.length / channels;
        for (int c = 0; c < channels; c++) {
            double scale = gamma[c] / Math.sqrt(var[c] + CnnArchitecture.BatchNorm.EPSILON);
            for (int j = 0; j < perChannel; j++) {
                w[c * perChannel + j] = (float) (w[c * perChannel + j] * scale);
            }
            b[c] = (float) ((b[c] - mean[c]) * scale + beta[c]);
        }
    }

    private static OnnxMl.ValueInfoProto tensorInfo(String name, String batchDim, int... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(batchDim));
        for (int d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto floatTensor(String name, float[] values, int... dims) {
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (size != values.length) {
            throw new IllegalStateException(name + ": " + values.length + " values for shape " + java.util.Arrays.toString(dims));
        }
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

    /** A one-dimensional int64 initializer. */
    private static OnnxMl.TensorProto longTensor(String name, long... values) {
        return OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()).addDims(values.length).build();
    }

    private static OnnxMl.NodeProto node(String op, String name, List<String> inputs, String output,
                                         OnnxMl.AttributeProto... attributes) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name + "_" + op)
                .addAllInput(inputs).addOutput(output);
        for (OnnxMl.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
    }
}
