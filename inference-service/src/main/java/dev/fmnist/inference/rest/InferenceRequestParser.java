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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 *
 * <p><b>Binary tensor data</b> (the extension Triton and KServe define, {@code binary_tensor_data}):
 * when the request carries the {@code Inference-Header-Content-Length} header, the body is that many
 * bytes of JSON followed by the tensor data; the input then has {@code parameters.binary_data_size}
 * instead of {@code data}: little-endian, row-major, UINT8 one byte per pixel, FP32 four, BYTES each
 * element as a 4-byte little-endian length and its bytes. An output asks for binary data with {@code
 * parameters.binary_data}, or all outputs at once with the request's {@code
 * parameters.binary_data_output} ({@link Parsed#binaryOutputs()}). Written by hand: no Java library
 * implements the extension.
 */
public final class InferenceRequestParser {
    public static final String INPUT = "image";
    public static final String OUTPUT_PROBABILITIES = "probabilities";
    public static final String OUTPUT_LABEL = "label";
    public static final Set<String> OUTPUTS = Set.of(OUTPUT_PROBABILITIES, OUTPUT_LABEL);
    public static final String UINT8 = "UINT8";
    public static final String FP32 = "FP32";
    public static final String BYTES = "BYTES";
    /** The header that says how many bytes of the body are JSON (binary tensor data extension). */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    /** NaN and Infinity are read (Python's json module writes them) so that they are refused by name. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final ImagePreprocessor preprocessor;
    private final int maxImages;

    /**
     * A parsed request: model input {@code [n,784]} flat, the outputs asked for and those of them to answer as
     * binary data.
     */
    public record Parsed(String id, int n, float[] input, Set<String> outputs, Set<String> binaryOutputs) {
    }

    public InferenceRequestParser(ImagePreprocessor preprocessor, int maxImages) {
        this.preprocessor = preprocessor;
        this.maxImages = maxImages;
    }

    /** A JSON-only request. */
    public Parsed parse(byte[] body) {
        return parse(body, null);
    }

    /**
     * A request whose {@value #HEADER_LENGTH} header is {@code headerLength} ({@code null}: the whole
     * body is JSON).
     */
    public Parsed parse(byte[] body, String headerLength) {
        if (body == null || body.length == 0) {
            throw OipException.badRequest("the request body is empty: expected an inference request JSON object");
        }
        int jsonLength = jsonLength(body.length, headerLength);
        JsonNode root;
        try {
            root = MAPPER.readTree(body, 0, jsonLength);
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
        Set<String> outputs = outputs(root.get("outputs"));
        Set<String> binaryOutputs = binaryOutputs(root, outputs);
        int n = imageCount(datatype, shape);
        long binarySize = binaryDataSize(input);
        int tensorBytes = body.length - jsonLength;
        if (binarySize >= 0) {
            if (headerLength == null) {
                throw OipException.badRequest("input '" + INPUT + "' declares parameters.binary_data_size but the request has no "
                        + HEADER_LENGTH + " header saying where its JSON ends");
            }
            if (data != null) {
                throw OipException.badRequest("input '" + INPUT + "' has both 'data' and parameters.binary_data_size: send one");
            }
            if (binarySize != tensorBytes) {
                throw OipException.badRequest("input '" + INPUT + "' declares binary_data_size " + binarySize + " but "
                        + tensorBytes + " bytes follow the JSON header");
            }
            return binary(id, n, datatype, body, jsonLength, outputs, binaryOutputs);
        }
        if (tensorBytes > 0) {
            throw OipException.badRequest(tensorBytes + " bytes follow the JSON header but no input declares "
                    + "parameters.binary_data_size");
        }
        if (data == null || !data.isArray()) {
            throw OipException.badRequest("'data' of input '" + INPUT + "' must be an array (flat or nested)");
        }
        List<JsonNode> values = new ArrayList<>(datatype.equals(BYTES) ? n : n * Pixels.COUNT);
        flatten(data, values);
        long expected = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (values.size() != expected) {
            throw OipException.badRequest("'data' holds " + values.size() + " values but shape " + Arrays.toString(shape)
                    + " needs " + expected);
        }
        Parsed parsed = switch (datatype) {
            case UINT8 -> uint8(id, n, values, outputs);
            case FP32 -> fp32(id, n, values, outputs);
            default -> bytes(id, n, values, outputs);
        };
        return new Parsed(parsed.id(), parsed.n(), parsed.input(), outputs, binaryOutputs);
    }

    /**
     * The input tensor as another wire format carries it (gRPC's {@code raw_input_contents}, or its typed contents
     * written out the same way): {@code datatype} and {@code shape} as declared, {@code raw} the elements row-major
     * and little-endian (BYTES: each a 4-byte little-endian length and its bytes), {@code field} the name of the
     * field that held them, for the error messages. The same checks and words as the binary tensor data of a REST
     * request.
     */
    public Parsed fromRaw(String id, String datatype, long[] shape, byte[] raw, String field, Set<String> outputs) {
        int n = imageCount(datatype, shape);
        int width = switch (datatype) {
            case UINT8 -> 1;
            case FP32 -> Float.BYTES;
            default -> 0;
        };
        long expected = (long) n * Pixels.COUNT * width;
        if (width > 0 && raw.length != expected) {
            throw OipException.badRequest(field + " holds " + raw.length + " bytes but a " + datatype + " tensor of shape "
                    + Arrays.toString(shape) + " has " + expected);
        }
        return binary(id, n, datatype, raw, 0, outputs, Set.of());
    }

    /** The outputs asked for by name (none: all), each one the model gives. */
    public static Set<String> requestedOutputs(List<String> names) {
        Set<String> requested = new LinkedHashSet<>();
        for (String name : names) {
            if (!OUTPUTS.contains(name)) {
                throw OipException.badRequest("unknown output '" + name + "': the model gives " + OUTPUT_PROBABILITIES
                        + " and " + OUTPUT_LABEL);
            }
            requested.add(name);
        }
        return requested.isEmpty() ? OUTPUTS : requested;
    }

    private static int jsonLength(int bodyLength, String headerLength) {
        if (headerLength == null) {
            return bodyLength;
        }
        int length;
        try {
            length = Integer.parseInt(headerLength.trim());
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length < 1 || length > bodyLength) {
            throw OipException.badRequest(HEADER_LENGTH + " must be the length of the JSON part of the body, a number from 1 to "
                    + bodyLength + " (the body's length); got '" + headerLength + "'");
        }
        return length;
    }

    /** {@code parameters.binary_data_size} of the input, or -1 when it has none. */
    private static long binaryDataSize(JsonNode input) {
        JsonNode parameters = input.get("parameters");
        JsonNode size = parameters == null ? null : parameters.get("binary_data_size");
        if (size == null || size.isNull()) {
            return -1;
        }
        if (!size.isIntegralNumber() || size.longValue() < 0) {
            throw OipException.badRequest("parameters.binary_data_size of input '" + INPUT + "' must be a non-negative integer, got "
                    + size);
        }
        return size.longValue();
    }

    /** The requested outputs to answer as binary data: each output's binary_data, else the request's binary_data_output. */
    private static Set<String> binaryOutputs(JsonNode root, Set<String> outputs) {
        boolean all = flag(root.get("parameters"), "binary_data_output", "the request");
        Map<String, Boolean> perOutput = new HashMap<>();
        JsonNode requested = root.get("outputs");
        if (requested != null && requested.isArray()) {
            for (JsonNode o : requested) {
                JsonNode parameters = o.get("parameters");
                if (parameters != null && parameters.has("binary_data")) {
                    perOutput.put(o.get("name").textValue(), flag(parameters, "binary_data", "output '" + o.get("name").textValue() + "'"));
                }
            }
        }
        Set<String> binary = new LinkedHashSet<>();
        for (String name : outputs) {
            if (perOutput.getOrDefault(name, all)) {
                binary.add(name);
            }
        }
        return binary;
    }

    private static boolean flag(JsonNode parameters, String name, String owner) {
        JsonNode v = parameters == null ? null : parameters.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw OipException.badRequest("parameters." + name + " of " + owner + " must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    /** The input's tensor from the bytes after the JSON header, whose length was checked against binary_data_size. */
    private Parsed binary(String id, int n, String datatype, byte[] body, int offset, Set<String> outputs,
                          Set<String> binaryOutputs) {
        int size = body.length - offset;
        float[] input = new float[n * Pixels.COUNT];
        switch (datatype) {
            case UINT8 -> {
                requireSize(size, (long) n * Pixels.COUNT, datatype, n);
                Pixels.toModelInput(body, offset, n, input, 0);
            }
            case FP32 -> {
                requireSize(size, (long) n * Pixels.COUNT * Float.BYTES, datatype, n);
                ByteBuffer.wrap(body, offset, size).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(input);
                for (int i = 0; i < input.length; i++) {
                    float f = input[i];
                    if (!(f >= 0f && f <= 1f)) {
                        throw OipException.badRequest("element " + i + " of the binary FP32 tensor is " + f
                                + ", outside [0, 1] (FP32 input is pixel / 255)");
                    }
                }
            }
            default -> {
                ByteBuffer buffer = ByteBuffer.wrap(body, offset, size).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    if (buffer.remaining() < Integer.BYTES) {
                        throw OipException.badRequest("the binary BYTES tensor ends before element " + i + " of " + n
                                + " (each element is a 4-byte little-endian length and its bytes)");
                    }
                    long length = Integer.toUnsignedLong(buffer.getInt());
                    if (length > buffer.remaining()) {
                        throw OipException.badRequest("element " + i + " of the binary BYTES tensor declares " + length
                                + " bytes but only " + buffer.remaining() + " remain");
                    }
                    byte[] raw = new byte[(int) length];
                    buffer.get(raw);
                    Pixels.toModelInput(imagePixels(i, raw), input, i * Pixels.COUNT);
                }
                if (buffer.hasRemaining()) {
                    throw OipException.badRequest(buffer.remaining() + " bytes are left after the " + n
                            + " elements of the binary BYTES tensor");
                }
            }
        }
        return new Parsed(id, n, input, outputs, binaryOutputs);
    }

    private static void requireSize(int size, long expected, String datatype, int n) {
        if (size != expected) {
            throw OipException.badRequest("a binary " + datatype + " tensor of " + n + " images has " + expected
                    + " bytes; binary_data_size is " + size);
        }
    }

    /** {@code datatype} is one the input accepts. */
    public static void requireDatatype(String datatype) {
        if (!UINT8.equals(datatype) && !FP32.equals(datatype) && !BYTES.equals(datatype)) {
            throw OipException.badRequest("datatype " + datatype + " is not accepted for input '" + INPUT
                    + "': use UINT8 (pixels 0..255), FP32 (pixel / 255) or BYTES (PNG/JPEG files, base64 in JSON)");
        }
    }

    private int imageCount(String datatype, long[] shape) {
        requireDatatype(datatype);
        boolean ok = switch (datatype) {
            case UINT8, FP32 -> (shape.length == 2 && shape[1] == Pixels.COUNT)
                    || (shape.length == 4 && shape[1] == 1 && shape[2] == Pixels.SIDE && shape[3] == Pixels.SIDE);
            default -> shape.length == 1 || (shape.length == 2 && shape[1] == 1);
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
            input[i] = p / 255f;
        }
        return new Parsed(id, n, input, outputs, Set.of());
    }

    private static Parsed fp32(String id, int n, List<JsonNode> values, Set<String> outputs) {
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
        }
        return new Parsed(id, n, input, outputs, Set.of());
    }

    private Parsed bytes(String id, int n, List<JsonNode> values, Set<String> outputs) {
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
            Pixels.toModelInput(imagePixels(i, raw), input, i * Pixels.COUNT);
        }
        return new Parsed(id, n, input, outputs, Set.of());
    }

    /** Element {@code i} of a BYTES tensor: a PNG or JPEG file (preprocessed like a photo) or 784 raw pixels. */
    private byte[] imagePixels(int i, byte[] raw) {
        if (ImagePreprocessor.looksEncoded(raw)) {
            try {
                return preprocessor.preprocess(raw);
            } catch (InvalidImageException e) {
                throw OipException.badRequest("data[" + i + "]: " + e.getMessage());
            }
        }
        if (raw.length == Pixels.COUNT) {
            return raw;
        }
        throw OipException.badRequest("data[" + i + "] is neither a PNG/JPEG file nor 784 raw pixels ("
                + raw.length + " bytes)");
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
