package dev.fmnist.explainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.scoring.TestModels;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the web page reads and sends, on the real broker and PostgreSQL: method agreement, image
 * thumbnails, the model report from the registry (the paper's figures) with the live accuracy, the
 * upload form's endpoint (a real record on fmnist.images), and the page's own assets.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class WebApiIT {
    static final Instant FUTURE = Instant.parse("2099-06-01T00:00:00Z");

    @Inject
    AgroalDataSource dataSource;

    static String prefix;
    static int cnnVersion;

    @BeforeEach
    void seed() throws Exception {
        synchronized (WebApiIT.class) {
            if (prefix != null) {
                return;
            }
            RegistryFixture.standardModels("lenet", "xgboost"); // the registry schema, lenet and xgboost
            prefix = "web-" + UUID.randomUUID() + "-";
            try (Connection c = dataSource.getConnection()) {
                cnnVersion = registerEvaluatedCnn(c);
                // the agreement request: three methods over 49 segments
                insertPrediction(c, prefix + "agree", "lenet", 1, 3, 3, FUTURE);
                float[] ascending = new float[49];
                float[] tiedButSameOrder = new float[49];
                float[] reversed = new float[49];
                for (int i = 0; i < 49; i++) {
                    ascending[i] = i;
                    tiedButSameOrder[i] = i / 2;   // ties, same order
                    reversed[i] = -i * i;          // the opposite ranking, not linear
                }
                insertExplanation(c, prefix + "agree", "lenet", "lime", ascending, "log_odds");
                insertExplanation(c, prefix + "agree", "lenet", "kernel_shap", reversed, "log_odds");
                insertExplanation(c, prefix + "agree", "lenet", "tree_shap", tiedButSameOrder, "log_odds");
                // maps in different output spaces: only the two probability maps are compared
                insertPrediction(c, prefix + "spaces", "xgboost", 1, 3, 3, FUTURE);
                insertExplanation(c, prefix + "spaces", "xgboost", "lime", ascending, "probability");
                insertExplanation(c, prefix + "spaces", "xgboost", "kernel_shap", reversed, "probability");
                insertExplanation(c, prefix + "spaces", "xgboost", "tree_shap", reversed, "margin");
                // labelled traffic of the new cnn version: 2 of 3 right, class 0 always, class 1 never
                insertPrediction(c, prefix + "live-0", "cnn", cnnVersion, 0, 0, FUTURE);
                insertPrediction(c, prefix + "live-1", "cnn", cnnVersion, 0, 0, FUTURE);
                insertPrediction(c, prefix + "live-2", "cnn", cnnVersion, 0, 1, FUTURE);
            }
        }
    }

    @Test
    void aRequestCarriesTheRankCorrelationOfItsMethods() {
        JsonPath view = given().get("/api/predictions/" + prefix + "agree").then().statusCode(200)
                .body("agreements", hasSize(3)).extract().jsonPath();
        // ordered by method name: kernel_shap, lime, tree_shap
        assertThat(view.getString("agreements[0].methodA")).isEqualTo("kernel_shap");
        assertThat(view.getString("agreements[0].methodB")).isEqualTo("lime");
        assertThat(view.getDouble("agreements[0].spearman")).isEqualTo(-1.0, within(1e-9));
        assertThat(view.getString("agreements[1].methodB")).isEqualTo("tree_shap");
        assertThat(view.getDouble("agreements[1].spearman")).isLessThan(-0.99).isGreaterThan(-1.0);
        assertThat(view.getString("agreements[2].methodA")).isEqualTo("lime");
        assertThat(view.getDouble("agreements[2].spearman")).isGreaterThan(0.99).isLessThan(1.0);
        assertThat(view.getInt("agreements[2].segments")).isEqualTo(49);
        assertThat(view.getList("agreements.outputSpace")).containsOnly("log_odds");
        assertThat(view.getList("explanations.outputSpace")).containsExactly("log_odds", "log_odds", "log_odds");
    }

    @Test
    void mapsInDifferentOutputSpacesAreNotCompared() {
        JsonPath view = given().get("/api/predictions/" + prefix + "spaces").then().statusCode(200)
                .body("agreements", hasSize(1)).extract().jsonPath();
        // tree_shap ranks exactly as kernel_shap, but in another space: no agreement figure for that pair
        assertThat(view.getString("agreements[0].methodA")).isEqualTo("kernel_shap");
        assertThat(view.getString("agreements[0].methodB")).isEqualTo("lime");
        assertThat(view.getString("agreements[0].outputSpace")).isEqualTo("probability");
        assertThat(view.getList("explanations.outputSpace")).containsExactly("probability", "probability", "margin");
    }

    @Test
    void theImageOfARequestIsAGrayscalePngOfItsPixels() throws Exception {
        byte[] png = given().get("/api/predictions/" + prefix + "agree/image.png?scale=3").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(84);
        assertThat(img.getHeight()).isEqualTo(84);
        byte[] pixels = image();
        for (int i : new int[] {0, 1, 29, 400, 783}) {
            int x = (i % 28) * 3 + 2;
            int y = (i / 28) * 3 + 1;
            assertThat(img.getRaster().getSample(x, y, 0)).as("pixel %d", i).isEqualTo(pixels[i] & 0xFF);
        }
        given().get("/api/predictions/" + prefix + "agree/image.png").then().statusCode(200);
        given().get("/api/predictions/" + prefix + "agree/image.png?scale=0").then().statusCode(400)
                .body("error", containsString("scale"));
        given().get("/api/predictions/nope-" + UUID.randomUUID() + "/image.png").then().statusCode(404)
                .contentType("application/json");
    }

    @Test
    void theModelReportHasThePapersFiguresFromTheRegistryAndTheLiveAccuracy() {
        List<String> listed = given().get("/api/models").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.name == 'cnn' }.version").stream().map(String::valueOf).toList();
        assertThat(listed).contains(String.valueOf(cnnVersion));

        JsonPath r = given().get("/api/models/cnn/" + cnnVersion).then().statusCode(200)
                .body("name", equalTo("cnn"))
                .body("format", equalTo("onnx"))
                .body("classNames", hasSize(10))
                .body("classNames[9]", equalTo(FashionClass.ofLabel(9).displayName()))
                .body("importance", nullValue())
                .body("evaluations", hasSize(1))
                .body("evaluations[0].split", equalTo("test"))
                .body("evaluations[0].images", equalTo(1000))
                .body("evaluations[0].confusionMatrix", hasSize(10))
                .body("epochs", hasSize(3))
                .extract().jsonPath();
        assertThat(r.getDouble("evaluations[0].accuracy")).isEqualTo(0.915, within(1e-9));
        assertThat(r.getDouble("evaluations[0].perClassAccuracy[6]")).isEqualTo(0.7, within(1e-9));
        assertThat(r.getInt("evaluations[0].confusionMatrix[6][0]")).isEqualTo(30);
        assertThat(r.getInt("epochs[2].epoch")).isEqualTo(3);
        assertThat(r.getDouble("epochs[2].validationAccuracy")).isEqualTo(0.9, within(1e-9));
        assertThat(r.getInt("live.labelled")).isEqualTo(3);
        assertThat(r.getInt("live.correct")).isEqualTo(2);
        assertThat(r.getDouble("live.accuracy")).isEqualTo(2.0 / 3, within(1e-6)); // JSON read back as float
        assertThat(r.getDouble("live.perClass[0]")).isEqualTo(1.0);
        assertThat(r.getDouble("live.perClass[1]")).isEqualTo(0.0);
        assertThat(r.getString("live.perClass[2]")).isNull();

        given().get("/api/models/cnn/latest").then().statusCode(200).body("version", equalTo(cnnVersion));
        int xgb = RegistryFixture.standardModels("lenet", "xgboost").get("xgboost").version();
        given().get("/api/models/xgboost/" + xgb).then().statusCode(200)
                .body("importance", equalTo("/api/models/xgboost/" + xgb + "/importance.png"));
        given().get("/api/models/cnn/999").then().statusCode(404).body("error", containsString("cnn/999"));
        given().get("/api/models/no-such-model/latest").then().statusCode(404);
        given().get("/api/models/Bad%20Name/1").then().statusCode(400).body("error", containsString("model name"));
        given().get("/api/models/cnn/x1").then().statusCode(400).body("error", containsString("version"));
    }

    @Test
    void anUploadedPhotoGoesToTheImagesTopicAskingForExplanations() throws Exception {
        byte[] photo = photo();
        String id = given().contentType("image/png").body(photo).post("/api/uploads").then().statusCode(202)
                .body("models", hasSize(4))
                .extract().jsonPath().getString("requestId");
        assertThat(id).startsWith("upload-");
        given().contentType("image/png").body(photo).post("/api/uploads?model=lenet").then().statusCode(202)
                .body("models", equalTo(List.of("lenet")))
                .body("page", containsString("#/prediction/upload-"));

        List<ConsumerRecord<String, byte[]>> sent;
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            sent = kafka.read(Topics.IMAGES, Integer.MAX_VALUE, Duration.ofSeconds(5));
        }
        ConsumerRecord<String, byte[]> record = sent.stream().filter(r -> id.equals(r.key())).findFirst().orElseThrow();
        ScoreRequest request = Json.read(record.value(), ScoreRequest.class);
        request.validate();
        assertThat(request.explain()).isTrue();
        assertThat(request.model()).isEqualTo("all");
        assertThat(request.trueLabel()).isNull();
        // the photo arrives as the 784 pixels the inference service would have made of it
        assertThat(Base64.getDecoder().decode(request.image())).isEqualTo(new ImagePreprocessor().preprocess(photo));
    }

    @Test
    void badUploadsAnswer4xxWithTheReason() throws Exception {
        given().contentType("image/png").body(new byte[0]).post("/api/uploads").then().statusCode(400)
                .body("error", containsString("empty"));
        given().contentType("application/octet-stream").body("SELECT 1; --".getBytes()).post("/api/uploads").then()
                .statusCode(415).body("error", containsString("not a PNG or JPEG"));
        byte[] broken = photo();
        byte[] truncated = java.util.Arrays.copyOf(broken, 60);
        given().contentType("image/png").body(truncated).post("/api/uploads").then().statusCode(400)
                .body("error", containsString("image"));
        given().contentType("image/png").body(hugeDeclaredPng()).post("/api/uploads").then().statusCode(400)
                .body("error", containsString("more than the limit"));
        given().contentType("image/png").body(broken).post("/api/uploads?model=resnet").then().statusCode(400)
                .body("error", containsString("resnet"));
        given().contentType("text/plain").body("hello").post("/api/uploads").then().statusCode(415);
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void thePageAndItsChartLibraryAreServedByTheService() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("/app.js"))
                .body(containsString("/webjars/chart.js/dist/chart.umd.min.js"));
        given().get("/app.js").then().statusCode(200).body(containsString("function route()"));
        given().get("/webjars/chart.js/dist/chart.umd.min.js").then().statusCode(200)
                .body(containsString("Chart"));
    }

    // ---- fixtures ----

    /** A new published cnn version (a real ONNX template model) with a training run, 3 epochs and a test evaluation. */
    private static int registerEvaluatedCnn(Connection c) throws Exception {
        LabelledImages sample = TestModels.trainingSample(200);
        byte[] artifact = TestModels.templateOnnx("cnn", sample, 10f);
        UUID run = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO registry.training_run (id, model_name, state, finished_at) VALUES (?, 'cnn', 'succeeded', now())")) {
            ps.setObject(1, run);
            ps.executeUpdate();
        }
        for (int e = 1; e <= 3; e++) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry.training_epoch (run_id, epoch, train_loss, "
                    + "train_accuracy, validation_loss, validation_accuracy, learning_rate, seconds, images_per_second) "
                    + "VALUES (?, ?, ?, ?, ?, ?, 0.05, 10, 5000)")) {
                ps.setObject(1, run);
                ps.setInt(2, e);
                ps.setDouble(3, 1.0 / e);
                ps.setDouble(4, 0.8 + 0.04 * e);
                ps.setDouble(5, 1.2 / e);
                ps.setDouble(6, 0.78 + 0.04 * e);
                ps.executeUpdate();
            }
        }
        int version;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry.model_version (name, version, format, sha256, "
                + "artifact, metrics, training_run_id, published_at) SELECT 'cnn', coalesce(max(version), 0) + 1, ?, ?, ?, "
                + "'{\"accuracy\": 0.915}'::jsonb, ?, now() FROM registry.model_version WHERE name = 'cnn' RETURNING version")) {
            ps.setString(1, ModelPublished.FORMAT_ONNX);
            ps.setString(2, ModelRegistryReader.sha256(artifact));
            ps.setBytes(3, artifact);
            ps.setObject(4, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                version = rs.getInt(1);
            }
        }
        int[][] confusion = new int[10][10];
        Double[] perClass = new Double[10];
        for (int k = 0; k < 10; k++) {
            confusion[k][k] = 93;
            perClass[k] = 0.93;
        }
        confusion[6][6] = 70;
        confusion[6][0] = 30;
        perClass[6] = 0.7;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry.evaluation (name, version, split, accuracy, "
                + "per_class_accuracy, confusion_matrix, images) VALUES ('cnn', ?, 'test', 0.915, ?, ?::jsonb, 1000)")) {
            ps.setInt(1, version);
            ps.setArray(2, c.createArrayOf("float8", perClass));
            ps.setString(3, Json.mapper().writeValueAsString(confusion));
            ps.executeUpdate();
        }
        return version;
    }

    private static byte[] image() {
        byte[] pixels = new byte[Pixels.COUNT];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) ((i * 7) % 256);
        }
        return pixels;
    }

    /** A photo-like PNG: a dark garment-shaped block on a light background, 120x90. */
    private static byte[] photo() throws Exception {
        BufferedImage img = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(235, 235, 230));
        g.fillRect(0, 0, 120, 90);
        g.setColor(new Color(40, 50, 90));
        g.fillRect(35, 15, 50, 65);
        g.fillRect(20, 15, 80, 15);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A PNG header declaring 100,000 x 100,000 pixels (10^10), without the data. */
    private static byte[] hugeDeclaredPng() throws Exception {
        byte[] png = photo();
        // IHDR width and height are the big-endian ints at offsets 16 and 20
        java.nio.ByteBuffer.wrap(png).putInt(16, 100_000).putInt(20, 100_000);
        return png;
    }

    private static void insertPrediction(Connection c, String id, String model, int version, int label, int trueLabel,
                                         Instant scoredAt) throws Exception {
        float[] p = new float[10];
        java.util.Arrays.fill(p, 0.02f);
        p[label] = 0.82f;
        XaiRows.insertPrediction(c, id, model, version, label, trueLabel, p, image(), true, scoredAt);
    }

    private static void insertExplanation(Connection c, String id, String model, String method, float[] weights,
                                          String outputSpace) throws Exception {
        Float[] boxed = new Float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            boxed[i] = weights[i];
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO xai.explanation (request_id, model_name, model_version, "
                + "method, reason, status, target_class, segment_weights, output_space) "
                + "VALUES (?, ?, 1, ?, 'requested', 'succeeded', 3, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, model);
            ps.setString(3, method);
            ps.setArray(4, c.createArrayOf("real", boxed));
            ps.setString(5, outputSpace);
            ps.executeUpdate();
        }
    }
}
