package dev.fmnist.explainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.explainer.service.HeatmapRenderer;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read API and the dashboard views on rows written straight to schema xai. The rows are scored
 * in the year 2100, so they are the newest and come first in every list whatever other tests stored.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class ReadApiIT {
    static final Instant FUTURE = Instant.parse("2100-01-01T00:00:00Z");

    @Inject
    AgroalDataSource dataSource;

    /** One seeded prediction: the index is its age rank (0 = newest). */
    record Seed(String id, String model, int label, Integer trueLabel, float confidence) {
    }

    static List<Seed> seeds;
    static String prefix;
    static long explanationId;
    static long failedExplanationId;

    @BeforeEach
    void seed() throws Exception {
        synchronized (ReadApiIT.class) {
            if (seeds != null) {
                return;
            }
            prefix = "api-" + UUID.randomUUID() + "-";
            List<Seed> s = new ArrayList<>();
            s.add(new Seed(prefix + "0", "lenet", 3, 3, 0.95f));   // correct
            s.add(new Seed(prefix + "1", "xgboost", 3, 4, 0.55f)); // wrong
            s.add(new Seed(prefix + "2", "lenet", 7, null, 0.70f)); // unlabelled
            s.add(new Seed(prefix + "3", "lenet", 3, 2, 0.40f));   // wrong
            s.add(new Seed(prefix + "4", "xgboost", 9, 9, 0.99f)); // correct
            s.add(new Seed(prefix + "5", "lenet", 3, 3, 0.90f));   // correct
            try (Connection c = dataSource.getConnection()) {
                for (int i = 0; i < s.size(); i++) {
                    insertPrediction(c, s.get(i), FUTURE.plusSeconds(50 - i * 5L)); // all in one minute
                }
                explanationId = insertExplanation(c, s.get(0), "lime", true);
                failedExplanationId = insertExplanation(c, s.get(0), "kernel_shap", false);
            }
            seeds = s;
        }
    }

    @Test
    void listsNewestFirstWithPaging() {
        JsonPath all = given().get("/api/predictions?size=6").then().statusCode(200).extract().jsonPath();
        assertThat(all.getList("items.requestId")).containsExactly(ids(0, 1, 2, 3, 4, 5));
        assertThat(all.getInt("size")).isEqualTo(6);
        assertThat(all.getLong("total")).isGreaterThanOrEqualTo(6);
        JsonPath page = given().get("/api/predictions?size=2&page=1").then().statusCode(200).extract().jsonPath();
        assertThat(page.getList("items.requestId")).containsExactly(ids(2, 3));
        assertThat(page.getInt("page")).isEqualTo(1);
        given().get("/api/predictions").then().statusCode(200).body("size", equalTo(20));
        JsonPath first = given().get("/api/predictions?size=1").then().extract().jsonPath();
        assertThat(first.getString("items[0].model")).isEqualTo("lenet");
        assertThat(first.getBoolean("items[0].correct")).isTrue();
        assertThat(first.getInt("items[0].explanations")).isEqualTo(2);
        assertThat(first.getString("items[0].className")).isEqualTo("Dress");
    }

    @Test
    void filtersCombine() {
        assertThat(seeded("model=lenet")).containsExactly(ids(0, 2, 3, 5));
        assertThat(seeded("model=xgboost")).containsExactly(ids(1, 4));
        assertThat(seeded("label=3")).containsExactly(ids(0, 1, 3, 5));
        assertThat(seeded("correct=true")).containsExactly(ids(0, 4, 5));
        assertThat(seeded("correct=false")).containsExactly(ids(1, 3));
        assertThat(seeded("minConfidence=0.9")).containsExactly(ids(0, 4, 5));
        assertThat(seeded("maxConfidence=0.55")).containsExactly(ids(1, 3));
        assertThat(seeded("minConfidence=0.5&maxConfidence=0.9")).containsExactly(ids(1, 2, 5));
        assertThat(seeded("model=lenet&label=3&correct=false")).containsExactly(ids(3));
    }

    @Test
    void invalidParametersAnswer400WithTheReason() {
        bad("label=12", "label must be 0..9");
        bad("label=three", "label must be an integer");
        bad("model=resnet", "model must be one of");
        bad("correct=maybe", "correct must be true or false");
        bad("minConfidence=2", "minConfidence must be in [0, 1]");
        bad("minConfidence=0.8&maxConfidence=0.2", "greater than maxConfidence");
        bad("page=-1", "page must be 0 or more");
        bad("size=1000", "size must be 1..100");
        bad("size=1%27%3B%20DROP%20TABLE%20xai.prediction%3B--", "size must be an integer");
        given().get("/api/predictions?size=1").then().statusCode(200);
    }

    @Test
    void oneRequestWithItsPredictionsAndExplanations() {
        given().get("/api/predictions/" + ids(0)[0]).then().statusCode(200)
                .body("requestId", equalTo(ids(0)[0]))
                .body("predictions", hasSize(1))
                .body("predictions[0].probabilities", hasSize(10))
                .body("predictions[0].trueLabel", equalTo(3))
                .body("predictions[0].image", equalTo(Pixels.toBase64(image())))
                .body("explanations", hasSize(2))
                .body("explanations.find { it.method == 'lime' }.href", equalTo("/api/explanations/" + explanationId))
                .body("explanations.find { it.method == 'lime' }.limeR2", equalTo(0.8f))
                .body("explanations.find { it.method == 'lime' }.segmentation", equalTo("grid4"))
                .body("explanations.find { it.method == 'lime' }.outline",
                        equalTo("/api/explanations/" + explanationId + "/outline.png"))
                .body("explanations.find { it.method == 'kernel_shap' }.status", equalTo("failed"))
                .body("explanations.find { it.method == 'kernel_shap' }.error", equalTo("it broke"));
        given().get("/api/predictions/no-such-request").then().statusCode(404)
                .body("error", containsString("no-such-request"));
    }

    @Test
    void oneExplanationInFull() {
        given().get("/api/explanations/" + explanationId).then().statusCode(200)
                .body("id", equalTo((int) explanationId))
                .body("method", equalTo("lime"))
                .body("targetClassName", equalTo(FashionClass.ofLabel(3).displayName()))
                .body("attributions", hasSize(784))
                .body("segments", hasSize(784))
                .body("segmentWeights", hasSize(49))
                .body("deletionCurve", hasSize(3))
                .body("attributions[783]", equalTo(1.0f));
        given().get("/api/explanations/999999999").then().statusCode(404).body("error", containsString("999999999"));
        given().get("/api/explanations/abc").then().statusCode(400).body("error", containsString("'abc'"));
    }

    @Test
    void heatmapIsADecodablePngOfTheExpectedSize() throws Exception {
        byte[] png = given().get("/api/explanations/" + explanationId + "/heatmap.png").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(HeatmapRenderer.width(10)).isEqualTo(370);
        assertThat(img.getHeight()).isEqualTo(280);
        // the last pixel has the largest positive attribution: full red
        assertThat(img.getRGB(279, 279) & 0xFFFFFF).isEqualTo(HeatmapRenderer.colour(1) & 0xFFFFFF);
        byte[] small = given().get("/api/explanations/" + explanationId + "/heatmap.png?scale=4").then().statusCode(200)
                .extract().asByteArray();
        assertThat(ImageIO.read(new ByteArrayInputStream(small)).getWidth()).isEqualTo(HeatmapRenderer.width(4));
        given().get("/api/explanations/" + explanationId + "/heatmap.png?scale=99").then().statusCode(400)
                .body("error", containsString("scale"));
        given().get("/api/explanations/999999999/heatmap.png").then().statusCode(404).contentType("application/json");
        given().get("/api/explanations/" + failedExplanationId + "/heatmap.png").then().statusCode(409)
                .body("error", containsString("it broke"));
    }

    @Test
    void outlineIsThePngOfTheImageWithTheTopPositiveSegmentsOutlined() throws Exception {
        int yellow = 0xFFFF00;
        byte[] png = given().get("/api/explanations/" + explanationId + "/outline.png?top=1").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(280);
        assertThat(img.getHeight()).isEqualTo(280);
        // top 1: the bottom-right cell (rows and columns 24..27, output pixels 240..279), outlined on its edges
        assertThat(img.getRGB(240, 240) & 0xFFFFFF).isEqualTo(yellow);
        assertThat(img.getRGB(279, 279) & 0xFFFFFF).isEqualTo(yellow);
        assertThat(img.getRGB(260, 241) & 0xFFFFFF).isEqualTo(yellow);
        // inside it, and everywhere else, the image's grey (pixel i is i % 256)
        assertThat(img.getRGB(260, 260) & 0xFFFFFF).isEqualTo(grey((26 * 28 + 26) % 256));
        assertThat(img.getRGB(230, 240) & 0xFFFFFF).isEqualTo(grey((24 * 28 + 23) % 256));
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(grey(0));
        // top 5: four more cells of weight 0.1 (the lowest ids among the ties: 1..4), the negative cell 0 never
        BufferedImage five = ImageIO.read(new ByteArrayInputStream(given()
                .get("/api/explanations/" + explanationId + "/outline.png?top=5&scale=4").then().statusCode(200)
                .extract().asByteArray()));
        assertThat(five.getWidth()).isEqualTo(112);
        assertThat(five.getRGB(4 * 4, 0) & 0xFFFFFF).as("cell 1's top-left corner").isEqualTo(yellow);
        assertThat(five.getRGB(0, 0) & 0xFFFFFF).as("cell 0 has a negative weight").isEqualTo(grey(0));
        assertThat(five.getRGB(20 * 4, 0) & 0xFFFFFF).as("cell 5 is sixth").isNotEqualTo(yellow);
        given().get("/api/explanations/" + explanationId + "/outline.png?top=0").then().statusCode(400)
                .body("error", containsString("top must be an integer 1..50"));
        given().get("/api/explanations/" + explanationId + "/outline.png?scale=2").then().statusCode(400)
                .body("error", containsString("scale"));
        given().get("/api/explanations/999999999/outline.png").then().statusCode(404).contentType("application/json");
        given().get("/api/explanations/" + failedExplanationId + "/outline.png").then().statusCode(409)
                .body("error", containsString("it broke"));
    }

    private static int grey(int v) {
        return (v << 16) | (v << 8) | v;
    }

    @Test
    void dashboardViewsSummariseTheSeededMinute() throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT model_name, predictions, labelled, correct, accuracy FROM xai.prediction_summary "
                        + "WHERE minute >= ? ORDER BY model_name")) {
            ps.setTimestamp(1, Timestamp.from(FUTURE));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("lenet");
                assertThat(rs.getInt(2)).isEqualTo(4);
                assertThat(rs.getInt(3)).isEqualTo(3);
                assertThat(rs.getInt(4)).isEqualTo(2);
                assertThat(rs.getDouble(5)).isEqualTo(2.0 / 3.0, org.assertj.core.api.Assertions.within(1e-9));
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("xgboost");
                assertThat(rs.getDouble(5)).isEqualTo(0.5, org.assertj.core.api.Assertions.within(1e-9));
                assertThat(rs.next()).isFalse();
            }
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*), sum(explanations), sum(failed) FROM xai.explanation_latency")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(2)).isGreaterThanOrEqualTo(2);
                assertThat(rs.getLong(3)).isGreaterThanOrEqualTo(1);
            }
        }
    }

    // ---- helpers ----

    /** The seeded request ids among the items of a list (the seeded ones are the newest of all). */
    private static List<String> seeded(String query) {
        List<String> items = given().get("/api/predictions?size=100&" + query).then().statusCode(200)
                .extract().jsonPath().getList("items.requestId");
        return items.stream().filter(id -> id.startsWith(prefix)).toList();
    }

    private static void bad(String query, String message) {
        given().get("/api/predictions?" + query).then().statusCode(400).contentType("application/json")
                .body("error", containsString(message));
    }

    private static String[] ids(int... ranks) {
        String[] out = new String[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            out[i] = prefix + ranks[i];
        }
        return out;
    }

    private static byte[] image() {
        byte[] pixels = new byte[Pixels.COUNT];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i % 256);
        }
        return pixels;
    }

    private static void insertPrediction(Connection c, Seed s, Instant scoredAt) throws Exception {
        float[] p = new float[10];
        p[s.label()] = s.confidence();
        p[(s.label() + 1) % 10] = 1 - s.confidence();
        XaiRows.insertPrediction(c, s.id(), s.model(), 1, s.label(), s.trueLabel(), p, image(), false, scoredAt);
    }

    private static long insertExplanation(Connection c, Seed s, String method, boolean succeeded) throws Exception {
        Float[] attributions = new Float[Pixels.COUNT];
        Short[] segments = new Short[Pixels.COUNT];
        for (int i = 0; i < Pixels.COUNT; i++) {
            attributions[i] = (i - 391.5f) / 391.5f; // -1 at the top-left ... +1 at the bottom-right
            segments[i] = (short) ((i / 28 / 4) * 7 + (i % 28) / 4);
        }
        Float[] weights = new Float[49];
        java.util.Arrays.fill(weights, 0.1f);
        weights[0] = -0.5f; // the top-left cell: never outlined
        weights[48] = 0.9f; // the bottom-right cell: the highest, outlined first
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO xai.explanation (request_id, model_name, model_version, "
                + "method, reason, status, error, target_class, attributions, segment_weights, segments, base_value, "
                + "full_value, lime_r2, deletion_curve, deletion_area, samples, elapsed_ms, output_space, segmentation) "
                + "VALUES (?, ?, 1, ?, 'requested', ?, ?, ?, ?, ?, ?, 0.1, 0.95, ?, ?, 0.3, 500, 12.5, ?, ?) RETURNING id")) {
            ps.setString(1, s.id());
            ps.setString(2, s.model());
            ps.setString(3, method);
            ps.setString(4, succeeded ? "succeeded" : "failed");
            ps.setString(5, succeeded ? null : "it broke");
            ps.setShort(6, (short) s.label());
            ps.setArray(7, succeeded ? c.createArrayOf("real", attributions) : null);
            ps.setArray(8, succeeded ? c.createArrayOf("real", weights) : null);
            ps.setArray(9, succeeded ? c.createArrayOf("smallint", segments) : null);
            ps.setObject(10, succeeded ? 0.8 : null, java.sql.Types.DOUBLE);
            ps.setArray(11, succeeded ? c.createArrayOf("real", new Float[] {0.95f, 0.5f, 0.1f}) : null);
            ps.setString(12, succeeded ? "probability" : null);
            ps.setString(13, succeeded ? "grid4" : null);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
