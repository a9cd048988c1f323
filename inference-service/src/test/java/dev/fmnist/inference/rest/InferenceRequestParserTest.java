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
        assertThat(b.pixels()[0]).isEqualTo(a.pixels()[0]);
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
}
