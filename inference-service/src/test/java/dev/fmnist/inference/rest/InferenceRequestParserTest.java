package dev.fmnist.inference.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.image.ImagePreprocessor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The input contract of the OIP inference request, without HTTP. */
class InferenceRequestParserTest {
    final InferenceRequestParser parser = new InferenceRequestParser(new ImagePreprocessor(), 4);

    static String zeros(int n) {
        return "0" + ",0".repeat(n - 1);
    }

    InferenceRequestParser.Parsed parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    void bad(String json, String reason) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(OipException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((OipException) e).status()).isEqualTo(400));
    }

    @Test
    void uint8FlatAndFp32NestedGiveTheSameModelInput() {
        StringBuilder pixels = new StringBuilder();
        StringBuilder nested = new StringBuilder("[[[");
        for (int r = 0; r < 28; r++) {
            nested.append(r == 0 ? "[" : ",[");
            for (int c = 0; c < 28; c++) {
                int p = (r * 28 + c) % 256;
                pixels.append(r + c == 0 ? "" : ",").append(p);
                nested.append(c == 0 ? "" : ",").append(p / 255f);
            }
            nested.append("]");
        }
        nested.append("]]]");
        var a = parse("{\"id\":\"x\",\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":["
                + pixels + "]}]}");
        var b = parse("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\",\"data\":" + nested + "}],"
                + "\"outputs\":[{\"name\":\"label\"}]}");
        assertThat(a.id()).isEqualTo("x");
        assertThat(a.n()).isEqualTo(1);
        assertThat(b.input()).containsExactly(a.input());
        assertThat(a.outputs()).isEqualTo(InferenceRequestParser.OUTPUTS);
        assertThat(b.outputs()).isEqualTo(Set.of("label"));
    }

    @Test
    void bytesHoldRawPixelsOrPictures() {
        String raw = Base64.getEncoder().encodeToString(new byte[784]);
        var p = parse("{\"inputs\":[{\"name\":\"image\",\"shape\":[2,1],\"datatype\":\"BYTES\",\"data\":[[\"" + raw
                + "\"],[\"" + raw + "\"]]}]}");
        assertThat(p.n()).isEqualTo(2);
        assertThat(p.input()).hasSize(2 * 784);
    }

    @Test
    void everyBrokenRuleIsNamed() {
        bad("", "the request body is empty");
        bad("[]", "must be a JSON object");
        bad("{\"inputs\":[]}", "non-empty array");
        bad("{\"id\":5,\"inputs\":[{}]}", "'id' must be a string");
        bad("{\"inputs\":[{\"name\":\"image\"},{\"name\":\"x\"}]}", "takes one input");
        bad("{\"inputs\":[{\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":[]}]}", "'name' must be a string");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\"}]}", "'data' of input 'image' must be an array");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":\"1x784\",\"datatype\":\"UINT8\",\"data\":[]}]}", "'shape'");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,-784],\"datatype\":\"UINT8\",\"data\":[]}]}", "non-negative");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"FP64\",\"data\":[]}]}", "datatype FP64");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[5,784],\"datatype\":\"UINT8\",\"data\":[]}]}", "at most 4 images");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":[\"0\"," + zeros(783)
                + "]}]}", "data[0] = \"0\" is not a UINT8 value");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":[-1," + zeros(783)
                + "]}]}", "data[0] = -1 is outside");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":[" + zeros(783)
                + ",Infinity]}]}", "data[783] = Infinity is outside [0, 1]");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":[" + zeros(783)
                + ",true]}]}", "data[783] = true is not a number");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[7]}]}", "must be a string");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\""
                + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1}) + "\"]}]}",
                "data[0]: the image could not be decoded");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":[" + zeros(784)
                + "]}],\"outputs\":{}}", "'outputs' must be an array");
        bad("{\"inputs\":[{\"name\":\"image\",\"name\":\"image\"}]}", "not valid JSON");
    }

    // Binary tensor data extension: the bodies are built from the extension's text (little-endian, row-major,
    // BYTES elements as a 4-byte length and the bytes), not with the parser's own code.

    static byte[] binaryBody(String json, byte[] tensor) {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(head, head.length + tensor.length);
        System.arraycopy(tensor, 0, body, head.length, tensor.length);
        return body;
    }

    static String binaryInput(int n, String datatype, int size, String rest) {
        return "{\"inputs\":[{\"name\":\"image\",\"shape\":[" + n + ",784],\"datatype\":\"" + datatype
                + "\",\"parameters\":{\"binary_data_size\":" + size + "}}]" + rest + "}";
    }

    InferenceRequestParser.Parsed parseBinary(String json, byte[] tensor) {
        return parser.parse(binaryBody(json, tensor), Integer.toString(json.getBytes(StandardCharsets.UTF_8).length));
    }

    void badBinary(String json, byte[] tensor, String header, String reason) {
        assertThatThrownBy(() -> parser.parse(binaryBody(json, tensor), header)).isInstanceOf(OipException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((OipException) e).status()).isEqualTo(400));
    }

    @Test
    void binaryUint8Fp32AndBytesTensorsGiveTheSameModelInputAsJson() {
        byte[] pixels = new byte[2 * 784];
        StringBuilder json = new StringBuilder();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 % 256);
            json.append(i == 0 ? "" : ",").append(pixels[i] & 0xFF);
        }
        var fromJson = parse("{\"inputs\":[{\"name\":\"image\",\"shape\":[2,784],\"datatype\":\"UINT8\",\"data\":["
                + json + "]}]}");

        var uint8 = parseBinary(binaryInput(2, "UINT8", pixels.length, ""), pixels);
        assertThat(uint8.input()).containsExactly(fromJson.input());

        java.nio.ByteBuffer fp32 = java.nio.ByteBuffer.allocate(pixels.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (byte p : pixels) {
            fp32.putFloat((p & 0xFF) / 255f);
        }
        assertThat(parseBinary(binaryInput(2, "FP32", fp32.capacity(), ""), fp32.array()).input())
                .containsExactly(fromJson.input());

        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(2 * (4 + 784)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(784).put(pixels, 0, 784).putInt(784).put(pixels, 784, 784);
        String bytesJson = "{\"inputs\":[{\"name\":\"image\",\"shape\":[2],\"datatype\":\"BYTES\","
                + "\"parameters\":{\"binary_data_size\":" + bytes.capacity() + "}}]}";
        assertThat(parseBinary(bytesJson, bytes.array()).input()).containsExactly(fromJson.input());
    }

    @Test
    void binaryOutputsAreAskedPerOutputOrForAllAtOnce() {
        byte[] pixels = new byte[784];
        assertThat(parseBinary(binaryInput(1, "UINT8", 784, ""), pixels).binaryOutputs()).isEmpty();
        assertThat(parseBinary(binaryInput(1, "UINT8", 784, ",\"parameters\":{\"binary_data_output\":true}"), pixels)
                .binaryOutputs()).containsExactlyInAnyOrder("probabilities", "label");
        assertThat(parseBinary(binaryInput(1, "UINT8", 784, ",\"parameters\":{\"binary_data_output\":true},"
                + "\"outputs\":[{\"name\":\"label\",\"parameters\":{\"binary_data\":false}},{\"name\":\"probabilities\"}]"),
                pixels).binaryOutputs()).containsExactly("probabilities");
        // binary outputs for a JSON request, as Triton's client asks by default
        assertThat(parse("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":["
                + zeros(784) + "]}],\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}}]}")
                .binaryOutputs()).containsExactly("probabilities");
    }

    @Test
    void brokenBinaryRequestsAre400WithTheReason() {
        byte[] pixels = new byte[784];
        String json = binaryInput(1, "UINT8", 784, "");
        String length = Integer.toString(json.length());
        badBinary(json, pixels, null, "no Inference-Header-Content-Length header");
        badBinary(json, pixels, "abc", "Inference-Header-Content-Length must be the length of the JSON part");
        badBinary(json, pixels, "100000", "a number from 1 to " + (json.length() + 784));
        badBinary(json, new byte[700], length, "declares binary_data_size 784 but 700 bytes follow the JSON header");
        badBinary(binaryInput(1, "UINT8", 1568, ""), new byte[1568], Integer.toString(binaryInput(1, "UINT8", 1568, "").length()),
                "a binary UINT8 tensor of 1 images has 784 bytes; binary_data_size is 1568");
        java.nio.ByteBuffer two = java.nio.ByteBuffer.allocate(3136).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (two.hasRemaining()) {
            two.putFloat(2f);
        }
        badBinary(binaryInput(1, "FP32", 3136, ""), two.array(), Integer.toString(binaryInput(1, "FP32", 3136, "").length()),
                "element 0 of the binary FP32 tensor is 2.0, outside [0, 1]");
        String withData = "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":["
                + zeros(784) + "]}]}";
        badBinary(withData, new byte[10], Integer.toString(withData.length()),
                "10 bytes follow the JSON header but no input declares parameters.binary_data_size");
        String bytesJson = "{\"inputs\":[{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\","
                + "\"parameters\":{\"binary_data_size\":8}}]}";
        badBinary(bytesJson, new byte[] {(byte) 200, 0, 0, 0, 1, 2, 3, 4}, Integer.toString(bytesJson.length()),
                "element 0 of the binary BYTES tensor declares 200 bytes but only 4 remain");
    }
}
