package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Open Inference Protocol v2 REST API, written from the specification's JSON objects
 * ($metadata_server_response, $metadata_model_response, $inference_request/response, errors).
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class OipIT {
    @io.quarkus.test.common.http.TestHTTPResource("/v2/models/lenet/infer")
    java.net.URI inferUri;
    Map<String, RegistryFixture.Version> models;
    LabelledImages images;

    @BeforeEach
    void ready() {
        models = InferenceTestSupport.standardModelsReady();
        images = InferenceTestSupport.testImages();
    }

    @Test
    void serverHealthAndMetadata() {
        given().get("/v2").then().statusCode(200)
                .body("name", equalTo("inference-service")).body("version", notNullValue())
                .body("extensions", contains("binary_tensor_data"));
        given().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
        given().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
    }

    @Test
    void modelMetadataAndReadinessForTheServedVersionOnly() {
        int lenet = models.get("lenet").version();
        for (String path : List.of("/v2/models/lenet", "/v2/models/lenet/versions/" + lenet)) {
            given().get(path).then().statusCode(200)
                    .body("name", equalTo("lenet"))
                    .body("versions", contains(Integer.toString(lenet)))
                    .body("platform", equalTo("onnxruntime_onnx"))
                    .body("inputs[0].name", equalTo("image")).body("inputs[0].datatype", equalTo("FP32"))
                    .body("inputs[0].shape", contains(-1, 1, 28, 28))
                    .body("outputs.name", contains("probabilities", "label"))
                    .body("outputs[0].shape", contains(-1, 10));
        }
        given().get("/v2/models/xgboost").then().statusCode(200).body("platform", equalTo("xgboost_ubj"));
        given().get("/v2/models/lenet/ready").then().statusCode(200).body("name", equalTo("lenet")).body("ready", equalTo(true));
        given().get("/v2/models/lenet/versions/" + lenet + "/ready").then().statusCode(200).body("ready", equalTo(true));

        given().get("/v2/models/resnet").then().statusCode(404).body("error", containsString("unknown model 'resnet'"));
        given().get("/v2/models/resnet/ready").then().statusCode(404).body("error", containsString("resnet"));
        given().get("/v2/models/lenet/versions/999").then().statusCode(404)
                .body("error", equalTo("version 999 of model 'lenet' is not served (served: version " + lenet + ")"));
        given().get("/v2/models/lenet/versions/v1/ready").then().statusCode(404).body("error", containsString("'v1'"));
    }

    @Test
    void uint8BatchIsScoredLikeTheModelItself() {
        int n = 5;
        List<Integer> data = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (byte b : images.image(i)) {
                data.add(b & 0xFF);
            }
        }
        JsonPath response = given().contentType(ContentType.JSON)
                .body(Map.of("id", "req-42", "inputs", List.of(Map.of("name", "image", "shape", List.of(n, 784),
                        "datatype", "UINT8", "data", data))))
                .post("/v2/models/cnn/infer").then().statusCode(200)
                .body("model_name", equalTo("cnn"))
                .body("model_version", equalTo(Integer.toString(models.get("cnn").version())))
                .body("id", equalTo("req-42"))
                .body("outputs.name", contains("probabilities", "label"))
                .body("outputs[0].datatype", equalTo("FP32")).body("outputs[0].shape", contains(n, 10))
                .body("outputs[1].datatype", equalTo("INT64")).body("outputs[1].shape", contains(n))
                .extract().jsonPath();
        List<Float> probabilities = response.getList("outputs[0].data", Float.class);
        List<Integer> labels = response.getList("outputs[1].data", Integer.class);
        try (ModelScorer cnn = models.get("cnn").open()) {
            float[] want = cnn.score(input(0, n), n);
            assertThat(probabilities).hasSize(n * 10);
            for (int i = 0; i < want.length; i++) {
                assertThat(probabilities.get(i)).isCloseTo(want[i], within(1e-5f));
            }
            for (int i = 0; i < n; i++) {
                assertThat(labels.get(i)).isEqualTo(ModelScorers.argmax(want, i));
            }
        }
    }

    @Test
    void fp32NestedDataAndAPinnedVersionAndOneRequestedOutput() {
        // [1,1,28,28] as nested arrays, the way numpy's tolist() writes it
        byte[] img = images.image(7);
        List<List<List<List<Float>>>> nested = List.of(List.of(new ArrayList<>()));
        for (int r = 0; r < 28; r++) {
            List<Float> row = new ArrayList<>();
            for (int c = 0; c < 28; c++) {
                row.add((img[r * 28 + c] & 0xFF) / 255f);
            }
            nested.get(0).get(0).add(row);
        }
        int version = models.get("xgboost").version();
        JsonPath response = given().contentType(ContentType.JSON)
                .body(Map.of("inputs", List.of(Map.of("name", "image", "shape", List.of(1, 1, 28, 28), "datatype", "FP32",
                        "data", nested)), "outputs", List.of(Map.of("name", "label"))))
                .post("/v2/models/xgboost/versions/" + version + "/infer").then().statusCode(200)
                .body("model_version", equalTo(Integer.toString(version)))
                .body("outputs", hasSize(1)).body("outputs[0].name", equalTo("label"))
                .extract().jsonPath();
        try (ModelScorer xgb = models.get("xgboost").open()) {
            assertThat(response.getInt("outputs[0].data[0]")).isEqualTo(ModelScorers.argmax(xgb.score(input(7, 1), 1), 0));
        }
    }

    @Test
    void bytesHoldingPngsArePreprocessedLikePhotos() throws Exception {
        byte[] png = png(images.image(3));
        String b64 = Base64.getEncoder().encodeToString(png);
        JsonPath response = given().contentType(ContentType.JSON)
                .body(Map.of("inputs", List.of(Map.of("name", "image", "shape", List.of(2), "datatype", "BYTES",
                        "data", List.of(b64, Base64.getEncoder().encodeToString(images.image(4)))))))
                .post("/v2/models/lenet/infer").then().statusCode(200)
                .body("outputs[0].shape", contains(2, 10)).extract().jsonPath();
        float[] input = new float[2 * 784];
        Pixels.toModelInput(new ImagePreprocessor().preprocess(png), input, 0);
        Pixels.toModelInput(images.image(4), input, 784);
        try (ModelScorer lenet = models.get("lenet").open()) {
            float[] want = lenet.score(input, 2);
            List<Float> got = response.getList("outputs[0].data", Float.class);
            for (int i = 0; i < 20; i++) {
                assertThat(got.get(i)).isCloseTo(want[i], within(1e-5f));
            }
        }
    }

    /**
     * The binary tensor data extension the way Triton's HTTP client sends it: no Content-Type, the JSON
     * header's length in Inference-Header-Content-Length, the UINT8 tensor after it, binary outputs asked
     * for. The body and the reading of the answer follow the extension's text (little-endian, row-major).
     */
    @Test
    void binaryTensorRequestAndBinaryOutputsAsTritonsClientSendsThem() throws Exception {
        int n = 3;
        byte[] tensor = tensor(n);
        byte[] head = binaryHead(n, tensor.length);
        byte[] body = concat(head, tensor);
        java.net.http.HttpResponse<byte[]> response = postBinary(head, body);

        assertThat(response.statusCode()).as(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(200);
        int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonPath json = new JsonPath(new String(response.body(), 0, jsonLength, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(json.getString("id")).isEqualTo("bin-1");
        assertThat(json.getList("outputs.name")).containsExactly("probabilities", "label");
        assertThat(json.getInt("outputs[0].parameters.binary_data_size")).isEqualTo(n * 10 * 4);
        assertThat(json.getInt("outputs[1].parameters.binary_data_size")).isEqualTo(n * 8);
        assertThat(json.getList("outputs[0].shape", Integer.class)).containsExactly(n, 10);
        assertThat(json.get("outputs[0].data") == null).as("no JSON data for a binary output").isTrue();
        assertThat(response.body()).hasSize(jsonLength + n * 10 * 4 + n * 8);
        java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(response.body(), jsonLength, response.body().length - jsonLength)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (ModelScorer lenet = models.get("lenet").open()) {
            float[] want = lenet.score(input(0, n), n);
            for (float w : want) {
                assertThat(data.getFloat()).isCloseTo(w, within(1e-5f));
            }
            for (int i = 0; i < n; i++) {
                assertThat(data.getLong()).isEqualTo(ModelScorers.argmax(want, i));
            }
        }

        // a binary_data_size that does not match what follows: 400 with the reason, as JSON
        given().header("Inference-Header-Content-Length", head.length).contentType("application/octet-stream")
                .body(java.util.Arrays.copyOf(body, body.length - 1)).post("/v2/models/lenet/infer").then().statusCode(400)
                .body("error", containsString("declares binary_data_size " + tensor.length + " but " + (tensor.length - 1)
                        + " bytes follow the JSON header"));
    }

    /**
     * A lone batch of 256 images over HTTP: cut into parts on the idle core (the tests serve with {@code
     * inference.split.cores=2}), with the model's own probabilities for every image.
     */
    @Test
    void aLargeBinaryBatchIsSplitOverTheIdleCoreAndScoredLikeTheModelItself() throws Exception {
        int n = 256;
        byte[] tensor = tensor(n);
        byte[] head = binaryHead(n, tensor.length);
        double before = splitCalls();
        java.net.http.HttpResponse<byte[]> response = postBinary(head, concat(head, tensor));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(splitCalls()).as("inference_split_calls_total").isEqualTo(before + 1);
        int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(response.body(), jsonLength, response.body().length - jsonLength)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (ModelScorer lenet = models.get("lenet").open()) {
            float[] want = lenet.score(input(0, n), n);
            for (int i = 0; i < want.length; i++) {
                assertThat(data.getFloat()).as("probability %d", i).isCloseTo(want[i], within(1e-5f));
            }
        }
    }

    private static double splitCalls() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("inference_split_calls_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElseThrow();
    }

    private byte[] tensor(int n) {
        byte[] tensor = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.image(i), 0, tensor, i * 784, 784);
        }
        return tensor;
    }

    /** The JSON header of Triton's client: a UINT8 [n,784] input of binary data, both outputs asked as binary. */
    private static byte[] binaryHead(int n, int tensorBytes) {
        return ("{\"id\":\"bin-1\",\"inputs\":[{\"name\":\"image\",\"shape\":[" + n + ",784],\"datatype\":\"UINT8\","
                + "\"parameters\":{\"binary_data_size\":" + tensorBytes + "}}],"
                + "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"label\",\"parameters\":{\"binary_data\":true}}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] head, byte[] tensor) {
        byte[] body = java.util.Arrays.copyOf(head, head.length + tensor.length);
        System.arraycopy(tensor, 0, body, head.length, tensor.length);
        return body;
    }

    private java.net.http.HttpResponse<byte[]> postBinary(byte[] head, byte[] body) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(inferUri)
                        .header("Inference-Header-Content-Length", Integer.toString(head.length))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void requestsThatBreakTheInputContractAre400WithTheReason() {
        List<Integer> pixels = new ArrayList<>();
        for (byte b : images.image(0)) {
            pixels.add(b & 0xFF);
        }
        bad("{not json", "not valid JSON");
        bad("{}", "'inputs' must be a non-empty array");
        bad(infer("pixels", List.of(1, 784), "UINT8", pixels), "unknown input 'pixels'");
        bad(infer("image", List.of(1, 784), "INT32", pixels), "datatype INT32 is not accepted");
        bad(infer("image", List.of(1, 785), "UINT8", pixels), "shape [1, 785] does not fit datatype UINT8");
        bad(infer("image", List.of(1, 3, 28, 28), "FP32", pixels), "shape [1, 3, 28, 28]");
        bad(infer("image", List.of(2, 784), "UINT8", pixels), "'data' holds 784 values but shape [2, 784] needs 1568");
        bad(infer("image", List.of(1, 784), "UINT8", pixels.subList(0, 700)), "holds 700 values");
        List<Integer> tooBright = new ArrayList<>(pixels);
        tooBright.set(5, 256);
        bad(infer("image", List.of(1, 784), "UINT8", tooBright), "data[5] = 256 is outside the UINT8 range");
        List<Object> fractional = new ArrayList<>(pixels);
        fractional.set(9, 3.5);
        bad(infer("image", List.of(1, 784), "UINT8", fractional), "data[9] = 3.5 is not a UINT8 value");
        bad(infer("image", List.of(1, 784), "FP32", pixels), "data[");  // 0..255 is outside [0, 1] somewhere
        bad(infer("image", List.of(1), "BYTES", List.of("@@not base64@@")), "not valid base64");
        bad(infer("image", List.of(1), "BYTES", List.of(Base64.getEncoder().encodeToString(new byte[10]))),
                "neither a PNG/JPEG file nor 784 raw pixels");
        bad(infer("image", List.of(1025, 784), "UINT8", pixels), "at most 1024 images");
        bad(infer("image", List.of(0, 784), "UINT8", List.of()), "the batch is empty");
        // NaN as Python's json.dumps writes it
        String nan = "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":[NaN"
                + ",0".repeat(783) + "]}]}";
        bad(nan, "data[0] is NaN");
        bad("{\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":" + pixels
                + "}],\"outputs\":[{\"name\":\"logits\"}]}", "unknown output 'logits'");
    }

    @Test
    void unknownModelOrVersionIs404AndAnOversizedBodyIs413() {
        String body = infer("image", List.of(1, 784), "UINT8", java.util.Collections.nCopies(784, 0));
        given().contentType(ContentType.JSON).body(body).post("/v2/models/resnet/infer").then().statusCode(404)
                .body("error", containsString("unknown model 'resnet'"));
        given().contentType(ContentType.JSON).body(body).post("/v2/models/lenet/versions/12345/infer").then()
                .statusCode(404).body("error", containsString("version 12345 of model 'lenet' is not served"));
        byte[] huge = new byte[9 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        given().contentType(ContentType.JSON).body(huge).post("/v2/models/lenet/infer").then().statusCode(413)
                .body("error", containsString("more than the limit of 8388608 bytes"));
    }

    @Test
    void classifyAPictureAsFormFieldOrRawBody() throws Exception {
        byte[] png = png(images.image(0)); // an ankle boot
        JsonPath form = given().multiPart("file", "boot.png", png, "image/png").post("/api/classify?top=2")
                .then().statusCode(200)
                .body("results.model", contains("cnn", "lenet", "xgboost", "forest"))
                .body("results[0].top", hasSize(2))
                .extract().jsonPath();
        assertThat(form.getString("image")).isEqualTo(Pixels.toBase64(new ImagePreprocessor().preprocess(png)));
        assertThat(form.getInt("results[1].version")).isEqualTo(models.get("lenet").version());
        assertThat(form.getFloat("results[1].top[0].probability"))
                .isGreaterThanOrEqualTo(form.getFloat("results[1].top[1].probability"));
        assertThat(form.getString("results[1].className"))
                .isEqualTo(dev.fmnist.common.FashionClass.ofLabel(form.getInt("results[1].label")).displayName());

        given().contentType("image/png").body(png).post("/api/classify?model=lenet").then().statusCode(200)
                .body("results", hasSize(1)).body("results[0].model", equalTo("lenet"))
                .body("results[0].top", hasSize(3));
        given().contentType("application/octet-stream").body(images.image(1)).post("/api/classify?model=xgboost")
                .then().statusCode(200).body("results[0].model", equalTo("xgboost"));
        given().contentType("image/png").body(new byte[] {1, 2, 3}).post("/api/classify").then().statusCode(400)
                .body("error", containsString("neither a PNG/JPEG file nor 784 raw pixels"));
        given().contentType("image/png").body(png).post("/api/classify?model=resnet").then().statusCode(404)
                .body("error", containsString("resnet"));
        given().contentType("image/png").body(png).post("/api/classify?top=11").then().statusCode(400);
        given().contentType("image/png").body(png).post("/api/classify?top=abc").then().statusCode(400)
                .body("error", containsString("top must be 1..10, got 'abc'"));
        // JAX-RS' own refusal gets the error object too
        given().contentType("text/plain").body("hello").post("/v2/models/lenet/infer").then().statusCode(415)
                .body("error", containsString("content-type"));
    }

    private static void bad(String body, String reason) {
        given().contentType(ContentType.JSON).body(body).post("/v2/models/lenet/infer").then()
                .statusCode(400).contentType(ContentType.JSON).body("error", containsString(reason));
    }

    private static String infer(String name, List<Integer> shape, String datatype, List<?> data) {
        return dev.fmnist.common.messaging.Json.writeString(
                Map.of("inputs", List.of(Map.of("name", name, "shape", shape, "datatype", datatype, "data", data))));
    }

    private float[] input(int from, int n) {
        return dev.fmnist.runtime.scoring.TestModels.input(images, from, n);
    }

    /** A 28x28 picture as a white-background photo would be: inverted gray, scaled up, as PNG. */
    static byte[] png(byte[] pixels) throws Exception {
        BufferedImage img = new BufferedImage(84, 84, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 84; y++) {
            for (int x = 0; x < 84; x++) {
                int v = 255 - (pixels[(y / 3) * 28 + x / 3] & 0xFF);
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
