package dev.fmnist.inference.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.image.InvalidImageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an Open Inference Protocol {@code $inference_request} for the platform's models: one input
 * named {@code image}, either
 * <ul>
 * <li>{@code UINT8}, shape {@code [N,784]} or {@code [N,1,28,28]}: raw pixels 0..255;</li>
 * <li>{@code FP32}, shape {@code [N,1,28,28]} or {@code [N,784]}: model input {@code pixel / 255} in [0,1];</li>
 * <li>{@code BYTES}, shape {@code [N]} or {@code [N,1]}: strings holding base64 of a PNG or JPEG file
 *     (preprocessed like a photo) or of 784 raw pixels.</li>
 * </ul>
 * {@code data} may be flat or nested (row-major either way). Every violation is a {@link
 * OipException} with status 400 that names it.
 */
public final class InferenceRequestParser {
    public static final String INPUT = "image";
    public static final String OUTPUT_PROBABILITIES = "probabilities";
    public static final String OUTPUT_LABEL = "label";
    public static final Set<String> OUTPUTS = Set.of(OUTPUT_PROBABILITIES, OUTPUT_LABEL);
    public static final String UINT8 = "UINT8";
    public static final String FP32 = "FP32";
    public static final String BYTES = "BYTES";

    /** NaN and Infinity are read (Python's json module writes them) so that they are refused by name. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final ImagePreprocessor preprocessor;
    private final int maxImages;

    /** A parsed request: model input {@code [n,784]} flat, the pixels, and the outputs asked for. */
    public record Parsed(String id, int n, float[] input, byte[][] pixels, Set<String> outputs) {
    }

    public InferenceRequestParser(ImagePreprocessor preprocessor, int maxImages) {
        this.preprocessor = preprocessor;
        this.maxImages = maxImages;
    }

    public Parsed parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw OipException.badRequest("the request body is empty: expected an inference request JSON object");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw OipException.badRequest("the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw OipException.badRequest("the request body must be a JSON object with 'inputs'");
        }
        JsonNode idNode = root.get("id");
        if (idNode != null && !idNode.isNull() && !idNode.isTextual()) {
            throw OipException.badRequest("'id' must be a string");
        }
        String id = idNode == null || idNode.isNull() ? null : idNode.asText();
        JsonNode inputs = root.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw OipException.badRequest("'inputs' must be a non-empty array holding the input '" + INPUT + "'");
        }
        if (inputs.size() != 1) {
            throw OipException.badRequest("the model takes one input, '" + INPUT + "'; got " + inputs.size());
        }
        JsonNode input = inputs.get(0);
        if (!input.isObject()) {
            throw OipException.badRequest("inputs[0] must be an object with name, shape, datatype and data");
        }
        String name = text(input, "name");
        if (!INPUT.equals(name)) {
            throw OipException.badRequest("unknown input '" + name + "': the model takes one input named '" + INPUT + "'");
        }
        String datatype = text(input, "datatype");
        long[] shape = shape(input.get("shape"));
        JsonNode data = input.get("data");
        if (data == null || !data.isArray()) {
            throw OipException.badRequest("'data' of input '" + INPUT + "' must be an array (flat or nested)");
        }
        Set<String> outputs = outputs(root.get("outputs"));
        int n = imageCount(datatype, shape);
        List<JsonNode> values = new ArrayList<>(datatype.equals(BYTES) ? n : n * Pixels.COUNT);
        flatten(data, values);
        long expected = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (values.size() != expected) {
            throw OipException.badRequest("'data' holds " + values.size() + " values but shape " + Arrays.toString(shape)
                    + " needs " + expected);
        }
        return switch (datatype) {
            case UINT8 -> uint8(id, n, values, outputs);
            case FP32 -> fp32(id, n, values, outputs);
            default -> bytes(id, n, values, outputs);
        };
    }

    private int imageCount(String datatype, long[] shape) {
        boolean ok = switch (datatype) {
            case UINT8, FP32 -> (shape.length == 2 && shape[1] == Pixels.COUNT)
                    || (shape.length == 4 && shape[1] == 1 && shape[2] == Pixels.SIDE && shape[3] == Pixels.SIDE);
            case BYTES -> shape.length == 1 || (shape.length == 2 && shape[1] == 1);
            default -> throw OipException.badRequest("datatype " + datatype + " is not accepted for input '" + INPUT
                    + "': use UINT8 (pixels 0..255), FP32 (pixel / 255) or BYTES (base64 PNG/JPEG)");
        };
        if (!ok) {
            throw OipException.badRequest("shape " + Arrays.toString(shape) + " does not fit datatype " + datatype
                    + ": expected " + (datatype.equals(BYTES) ? "[N] or [N,1]" : "[N,784] or [N,1,28,28]"));
        }
        long n = shape[0];
        if (n < 1) {
            throw OipException.badRequest("the batch is empty (shape " + Arrays.toString(shape) + ")");
        }
        if (n > maxImages) {
            throw OipException.badRequest("a request may carry at most " + maxImages + " images, got " + n);
        }
        return (int) n;
    }

    private static Parsed uint8(String id, int n, List<JsonNode> values, Set<String> outputs) {
        byte[][] pixels = new byte[n][Pixels.COUNT];
        float[] input = new float[n * Pixels.COUNT];
        for (int i = 0; i < values.size(); i++) {
            JsonNode v = values.get(i);
            int p;
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                p = v.intValue();
            } else if (v.isNumber() && Double.isFinite(v.doubleValue()) && v.doubleValue() == Math.rint(v.doubleValue())) {
                p = (int) v.doubleValue();
            } else {
                throw OipException.badRequest("data[" + i + "] = " + v + " is not a UINT8 value (an integer 0..255)");
            }
            if (p < 0 || p > 255) {
                throw OipException.badRequest("data[" + i + "] = " + p + " is outside the UINT8 range 0..255");
            }
            pixels[i / Pixels.COUNT][i % Pixels.COUNT] = (byte) p;
            input[i] = p / 255f;
        }
        return new Parsed(id, n, input, pixels, outputs);
    }

    private static Parsed fp32(String id, int n, List<JsonNode> values, Set<String> outputs) {
        byte[][] pixels = new byte[n][Pixels.COUNT];
        float[] input = new float[n * Pixels.COUNT];
        for (int i = 0; i < values.size(); i++) {
            JsonNode v = values.get(i);
            if (!v.isNumber()) {
                throw OipException.badRequest("data[" + i + "] = " + v + " is not a number");
            }
            float f = v.floatValue();
            if (Float.isNaN(f)) {
                throw OipException.badRequest("data[" + i + "] is NaN");
            }
            if (!(f >= 0f && f <= 1f)) {
                throw OipException.badRequest("data[" + i + "] = " + v.asText() + " is outside [0, 1] (FP32 input is pixel / 255)");
            }
            input[i] = f;
            pixels[i / Pixels.COUNT][i % Pixels.COUNT] = (byte) Math.round(f * 255f);
        }
        return new Parsed(id, n, input, pixels, outputs);
    }

    private Parsed bytes(String id, int n, List<JsonNode> values, Set<String> outputs) {
        byte[][] pixels = new byte[n][];
        float[] input = new float[n * Pixels.COUNT];
        for (int i = 0; i < n; i++) {
            JsonNode v = values.get(i);
            if (!v.isTextual()) {
                throw OipException.badRequest("data[" + i + "] must be a string holding base64 of a PNG or JPEG file");
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(v.textValue());
            } catch (IllegalArgumentException e) {
                throw OipException.badRequest("data[" + i + "] is not valid base64: " + e.getMessage());
            }
            if (ImagePreprocessor.looksEncoded(raw)) {
                try {
                    pixels[i] = preprocessor.preprocess(raw);
                } catch (InvalidImageException e) {
                    throw OipException.badRequest("data[" + i + "]: " + e.getMessage());
                }
            } else if (raw.length == Pixels.COUNT) {
                pixels[i] = raw;
            } else {
                throw OipException.badRequest("data[" + i + "] is neither a PNG/JPEG file nor 784 raw pixels ("
                        + raw.length + " bytes)");
            }
            Pixels.toModelInput(pixels[i], input, i * Pixels.COUNT);
        }
        return new Parsed(id, n, input, pixels, outputs);
    }

    private static Set<String> outputs(JsonNode node) {
        if (node == null || node.isNull()) {
            return OUTPUTS;
        }
        if (!node.isArray()) {
            throw OipException.badRequest("'outputs' must be an array of {\"name\": ...}");
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode o : node) {
            String name = o.isObject() ? text(o, "name") : null;
            if (!OUTPUTS.contains(name)) {
                throw OipException.badRequest("unknown output '" + name + "': the model gives " + OUTPUT_PROBABILITIES
                        + " and " + OUTPUT_LABEL);
            }
            names.add(name);
        }
        return names.isEmpty() ? OUTPUTS : names;
    }

    private static long[] shape(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw OipException.badRequest("'shape' of input '" + INPUT + "' must be a non-empty array of integers");
        }
        long[] shape = new long[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || d.longValue() < 0) {
                throw OipException.badRequest("'shape' must hold non-negative integers, got " + node);
            }
            shape[i] = d.longValue();
        }
        return shape;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw OipException.badRequest("'" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static void flatten(JsonNode node, List<JsonNode> out) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flatten(v, out);
            } else {
                out.add(v);
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
