package dev.fmnist.reliability;

import static dev.fmnist.reliability.HttpProbe.get;
import static dev.fmnist.reliability.HttpProbe.post;
import static dev.fmnist.reliability.HttpProbe.postJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.launcher.ServiceProcess;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #10, bad input over HTTP: malformed JSON, huge bodies, wrong datatypes, NaN and infinities,
 * images that declare enormous dimensions, SQL metacharacters in paths and query parameters. Against
 * the packaged services as processes; each bad request must get a 4xx with a message (never a 5xx, a
 * bare status or a hang), and the service must be healthy and still answer a good request afterwards.
 */
class HttpBadInputIT {
    /** SQL metacharacters as an attacker would try them in a parameter. */
    private static final String SQL = "lenet' OR '1'='1'; DROP TABLE xai.prediction; --";

    private static Platform platform;

    @BeforeAll
    static void startThePlatform() throws Exception {
        platform = Platform.get();
    }

    @Test
    void inferenceAnswersEveryBadRequestWithA4xxAndAMessageAndKeepsServing() throws Exception {
        ServiceProcess inference = platform.inference();
        String infer = inference.url("/v2/models/lenet/infer");
        String classify = inference.url("/api/classify");
        String zeros = String.join(",", Collections.nCopies(784, "0"));
        HttpProbe probe = new HttpProbe();

        probe.expect4xx("malformed JSON", 400, postJson(infer, "{\"inputs\": ["));
        probe.expect4xx("empty body", 400, postJson(infer, ""));
        probe.expect4xx("a JSON array instead of an object", 400, postJson(infer, "[1, 2, 3]"));
        probe.expect4xx("duplicate keys", 400, postJson(infer, "{\"inputs\": [], \"inputs\": []}"));
        probe.expect4xx("JSON nested 100,000 levels deep", 400, postJson(infer, "[".repeat(100_000) + "]".repeat(100_000)));
        probe.expect4xx("a number of 100,000 digits", 400, postJson(infer,
                input("UINT8", "[1,784]", "1" + "0".repeat(100_000))));
        probe.expect4xx("datatype FP64", 400, postJson(infer, input("FP64", "[1,784]", zeros)));
        probe.expect4xx("strings in UINT8 data", 400, postJson(infer, input("UINT8", "[1,784]",
                String.join(",", Collections.nCopies(784, "\"a\"")))));
        probe.expect4xx("UINT8 value 300", 400, postJson(infer, input("UINT8", "[1,784]", "300," + zeros.substring(2))));
        probe.expect4xx("NaN in FP32 data", 400, postJson(infer, input("FP32", "[1,784]", "NaN," + zeros.substring(2))));
        probe.expect4xx("Infinity in FP32 data", 400, postJson(infer, input("FP32", "[1,784]", "Infinity," + zeros.substring(2))));
        probe.expect4xx("-Infinity in FP32 data", 400, postJson(infer, input("FP32", "[1,784]", "-Infinity," + zeros.substring(2))));
        probe.expect4xx("1e999 (infinite as a float) in FP32 data", 400, postJson(infer, input("FP32", "[1,784]",
                "1e999," + zeros.substring(2))));
        probe.expect4xx("shape declaring a billion images", 400, postJson(infer, input("UINT8", "[1000000000,784]", zeros)));
        probe.expect4xx("shape with a dimension past 2^63", 400, postJson(infer, input("UINT8", "[99999999999999999999,784]", zeros)));
        probe.expect4xx("negative shape", 400, postJson(infer, input("UINT8", "[-1,784]", zeros)));
        probe.expect4xx("data not matching the shape", 400, postJson(infer, input("UINT8", "[2,784]", zeros)));
        probe.expect4xx("BYTES that are not base64", 400, postJson(infer, input("BYTES", "[1]", "\"@@@\"")));
        probe.expect4xx("BYTES: a PNG declaring 1,000,000 x 1,000,000 pixels", 400, postJson(infer, input("BYTES", "[1]",
                "\"" + Base64.getEncoder().encodeToString(MalformedRecords.pngHeader(1_000_000, 1_000_000)) + "\"")));
        probe.expect4xx("a 9 MB body (over the 8 MB limit)", 413, post(infer, "application/json", new byte[9 * 1024 * 1024]));
        // Without a Content-Length the limit is found while the body is read, and RESTEasy Reactive ends the
        // response itself: 413 and the connection closed, but no body to carry a message (docs/reliability.md).
        probe.expectStatus("a 9 MB chunked body (no Content-Length)", 413, HttpRequest.newBuilder(URI.create(infer))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[9 * 1024 * 1024]))));
        probe.expect4xx("text/plain instead of JSON", 415, post(infer, "text/plain", "hello".getBytes(StandardCharsets.UTF_8)));
        probe.expect4xx("model name with SQL metacharacters", 404, postJson(inference.url("/v2/models/" + path(SQL) + "/infer"),
                input("UINT8", "[1,784]", zeros)));
        probe.expect4xx("version that is not a number", 0, postJson(inference.url("/v2/models/lenet/versions/" + path(SQL) + "/infer"),
                input("UINT8", "[1,784]", zeros)));
        probe.expect4xx("model metadata of an unknown model", 404, get(inference.url("/v2/models/" + path(SQL))));

        probe.expect4xx("classify: bytes that are no picture", 400, post(classify, "application/octet-stream",
                "hello".getBytes(StandardCharsets.UTF_8)));
        probe.expect4xx("classify: empty picture", 400, post(classify, "image/png", new byte[0]));
        probe.expect4xx("classify: a PNG declaring 1,000,000 x 1,000,000 pixels", 0, post(classify, "image/png",
                MalformedRecords.pngHeader(1_000_000, 1_000_000)));
        probe.expect4xx("classify: top=abc", 400, post(classify + "?top=abc", "image/png", png()));
        probe.expect4xx("classify: top=99", 400, post(classify + "?top=99", "image/png", png()));
        probe.expect4xx("classify: model with SQL metacharacters", 404, post(classify + "?model=" + query(SQL), "image/png", png()));
        probe.expect4xx("classify: multipart form without a file", 400, post(classify,
                "multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--XyZ--\r\n"
                        .getBytes(StandardCharsets.UTF_8)));

        assertThat(probe.problems()).as("bad requests not answered with a 4xx and a message").isEmpty();
        assertHealthyAndServing(inference);
        assertThat(probe.send(postJson(infer, input("UINT8", "[1,784]", zeros))).status()).as("a good request").isEqualTo(200);
        assertThat(probe.send(post(classify, "image/png", png())).status()).as("a good picture").isEqualTo(200);
    }

    @Test
    void explainerReadApiRefusesBadParametersWithA4xxAndAMessageAndRunsNoInjectedSql() throws Exception {
        ServiceProcess explainer = platform.explainer();
        String predictions = explainer.url("/api/predictions");
        HttpProbe probe = new HttpProbe();

        probe.expect4xx("model with SQL metacharacters", 400, get(predictions + "?model=" + query(SQL)));
        probe.expect4xx("label with SQL metacharacters", 400, get(predictions + "?label=" + query("1; DROP TABLE xai.prediction")));
        probe.expect4xx("label 99", 400, get(predictions + "?label=99"));
        probe.expect4xx("correct=maybe", 400, get(predictions + "?correct=maybe"));
        probe.expect4xx("minConfidence=NaN", 400, get(predictions + "?minConfidence=NaN"));
        probe.expect4xx("maxConfidence=Infinity", 400, get(predictions + "?maxConfidence=Infinity"));
        probe.expect4xx("minConfidence=2", 400, get(predictions + "?minConfidence=2"));
        probe.expect4xx("page=-1", 400, get(predictions + "?page=-1"));
        probe.expect4xx("page=abc", 400, get(predictions + "?page=abc"));
        probe.expect4xx("page past 2^63", 400, get(predictions + "?page=99999999999999999999"));
        probe.expect4xx("size=0", 400, get(predictions + "?size=0"));
        probe.expect4xx("size=100000", 400, get(predictions + "?size=100000"));
        probe.expect4xx("request id with SQL metacharacters", 404, get(predictions + "/" + path("x' OR '1'='1")));
        probe.expect4xx("explanation id with SQL metacharacters", 0, get(explainer.url("/api/explanations/" + path("1 OR 1=1"))));
        probe.expect4xx("explanation id past 2^63", 0, get(explainer.url("/api/explanations/99999999999999999999")));
        probe.expect4xx("heatmap scale 100000", 0, get(explainer.url("/api/explanations/1/heatmap.png?scale=100000")));
        probe.expect4xx("importance of a version that is not a number", 0,
                get(explainer.url("/api/models/lenet/" + path(SQL) + "/importance")));
        probe.expect4xx("mean attributions with a method with SQL metacharacters", 400,
                get(explainer.url("/api/models/lenet/mean-attributions?method=" + query(SQL))));

        assertThat(probe.problems()).as("bad requests not answered with a 4xx and a message").isEmpty();
        try (Connection c = platform.db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from xai.prediction")) {
            assertThat(rs.next()).as("xai.prediction is still there").isTrue();
        }
        assertHealthyAndServing(explainer);
        assertThat(probe.send(get(predictions + "?model=lenet&size=5")).status()).isEqualTo(200);
    }

    @Test
    void trainerRefusesBadTrainingRequestsWithA4xxAndAMessage() throws Exception {
        ServiceProcess trainer = platform.trainer();
        String trainings = trainer.url("/trainings");
        HttpProbe probe = new HttpProbe();
        String bearer = "Bearer " + platform.adminToken;

        probe.expect4xx("malformed JSON", 400, postJson(trainings, "{\"model\":").header("Authorization", bearer));
        probe.expect4xx("epochs of the wrong type", 400, postJson(trainings, "{\"model\":\"lenet\",\"epochs\":\"many\"}")
                .header("Authorization", bearer));
        probe.expect4xx("epochs 1e999", 400, postJson(trainings, "{\"model\":\"lenet\",\"epochs\":1e999}")
                .header("Authorization", bearer));
        probe.expect4xx("model with SQL metacharacters", 400, postJson(trainings, "{\"model\":\"" + SQL.replace("'", "\\u0027") + "\"}")
                .header("Authorization", bearer));
        probe.expect4xx("training id that is not a UUID", 0, get(trainer.url("/trainings/" + path(SQL))));
        probe.expect4xx("model version that is not a number", 0, get(trainer.url("/models/lenet/" + path(SQL))));
        probe.expect4xx("artifact of a version that does not exist", 404, get(trainer.url("/models/lenet/999999/artifact")));

        assertThat(probe.problems()).as("bad requests not answered with a 4xx and a message").isEmpty();
        assertHealthyAndServing(trainer);
    }

    private static void assertHealthyAndServing(ServiceProcess service) {
        assertThat(service.isAlive()).isTrue();
        assertThat(service.status("/q/health/ready", Duration.ofSeconds(10))).as("ready after the bad input").isEqualTo(200);
    }

    /** An OIP inference request with one input named image. */
    private static String input(String datatype, String shape, String data) {
        return "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":[" + data + "]}]}";
    }

    private static byte[] png() {
        try {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setSample(14, 14, 0, 255);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String path(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
