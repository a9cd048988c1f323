package dev.fmnist.explainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.runtime.scoring.XgboostScorer;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.repository.XaiWriteRepository;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.OutputSpace;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The global views of the read API: the XGBoost importance map of a registered booster (the
 * registry fixture's real model) and the mean |attribution| per class over stored explanations.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class GlobalViewsIT {
    @Inject
    XaiWriteRepository repository;

    @Test
    void xgboostImportanceIsTheBoostersGainNormalised() throws Exception {
        RegistryFixture.Version xgb = RegistryFixture.standardModels("lenet", "xgboost").get("xgboost");
        float[] expected;
        try (XgboostScorer scorer = (XgboostScorer) xgb.open()) {
            expected = scorer.importance("gain");
        }
        double sum = 0;
        for (float v : expected) {
            sum += v;
        }
        JsonPath json = given().get("/api/models/xgboost/" + xgb.version() + "/importance").then().statusCode(200)
                .extract().jsonPath();
        List<Float> importance = json.getList("importance", Float.class);
        assertThat(importance).hasSize(784);
        assertThat(json.getString("type")).isEqualTo("gain");
        assertThat(json.getInt("version")).isEqualTo(xgb.version());
        double total = 0;
        for (int i = 0; i < 784; i++) {
            assertThat((double) importance.get(i)).isCloseTo(expected[i] / sum, Offset.offset(1e-6));
            total += importance.get(i);
        }
        assertThat(total).isCloseTo(1.0, Offset.offset(1e-4));
        assertThat(json.getFloat("max")).isEqualTo(importance.stream().max(Float::compare).orElseThrow());
        given().get("/api/models/xgboost/" + xgb.version() + "/importance?type=weight").then().statusCode(200);

        byte[] png = given().get("/api/models/xgboost/" + xgb.version() + "/importance.png?scale=8").then()
                .statusCode(200).contentType("image/png").extract().asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getHeight()).isEqualTo(28 * 8);

        given().get("/api/models/xgboost/" + xgb.version() + "/importance?type=shap").then().statusCode(400)
                .body("error", containsString("type must be one of"));
        given().get("/api/models/xgboost/999/importance").then().statusCode(404)
                .body("error", containsString("not in the registry"));
        given().get("/api/models/xgboost/latest/importance").then().statusCode(400)
                .body("error", containsString("version is a positive integer"));
        int lenet = RegistryFixture.standardModels("lenet", "xgboost").get("lenet").version();
        given().get("/api/models/lenet/" + lenet + "/importance").then().statusCode(400)
                .body("error", containsString("not an XGBoost model"));
    }

    @Test
    void meanAttributionsAverageTheAbsoluteValuesPerClassOverSucceededExplanations() throws Exception {
        String model = "mean" + UUID.randomUUID().toString().substring(0, 8);
        String prefix = "global-" + UUID.randomUUID() + "-";
        // class 3: |+1| and |-3| average to 2 everywhere; class 5: 0.5 at pixel 0 only
        store(prefix + "a", model, 1, 3, "kernel_shap", fill(1f));
        store(prefix + "b", model, 1, 3, "kernel_shap", fill(-3f));
        float[] one = new float[784];
        one[0] = -0.5f;
        store(prefix + "c", model, 1, 5, "kernel_shap", one);
        store(prefix + "d", model, 1, 3, "lime", fill(100f));        // another method
        store(prefix + "e", model, 2, 3, "kernel_shap", fill(10f));  // another version
        store(prefix + "f", model, 1, 3, "tree_shap", null);         // failed

        JsonPath json = given().get("/api/models/" + model + "/mean-attributions?method=kernel_shap&version=1").then()
                .statusCode(200).extract().jsonPath();
        assertThat(json.getLong("count")).isEqualTo(3);
        assertThat(json.getList("classes")).hasSize(10);
        assertThat(json.getLong("classes[3].count")).isEqualTo(2);
        assertThat(json.getString("classes[3].className")).isEqualTo(FashionClass.ofLabel(3).displayName());
        assertThat(json.getList("classes[3].meanAbs", Float.class)).hasSize(784).containsOnly(2f);
        assertThat(json.getFloat("classes[5].meanAbs[0]")).isEqualTo(0.5f);
        assertThat(json.getFloat("classes[5].meanAbs[1]")).isZero();
        assertThat(json.getLong("classes[0].count")).isZero();

        JsonPath all = given().get("/api/models/" + model + "/mean-attributions?method=kernel_shap").then()
                .statusCode(200).extract().jsonPath();
        assertThat(all.getLong("classes[3].count")).isEqualTo(3);
        assertThat(all.getFloat("classes[3].meanAbs[100]")).isCloseTo(14f / 3, Offset.offset(1e-4f));

        byte[] png = given().get("/api/models/" + model + "/mean-attributions.png?method=kernel_shap&scale=4").then()
                .statusCode(200).contentType("image/png").extract().asByteArray();
        assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isGreaterThan(5 * 28 * 4);

        given().get("/api/models/" + model + "/mean-attributions").then().statusCode(400)
                .body("error", containsString("method is required"));
        given().get("/api/models/" + model + "/mean-attributions?method=gradcam").then().statusCode(400)
                .body("error", containsString("method must be one of"));
        given().get("/api/models/" + model + "/mean-attributions?method=tree_shap").then().statusCode(404)
                .body("error", containsString("no succeeded tree_shap explanation"));
        given().get("/api/models/" + model + "/mean-attributions?method=kernel_shap&version=x").then().statusCode(400);
        given().get("/api/models/Bad%20Name/mean-attributions?method=lime").then().statusCode(400);
    }

    private static float[] fill(float v) {
        float[] a = new float[784];
        Arrays.fill(a, v);
        return a;
    }

    private void store(String id, String model, int version, int target, String method, float[] attributions)
            throws Exception {
        float[] p = new float[10];
        p[target] = 1f;
        ModelRef ref = new ModelRef(model, version);
        repository.storePredictions(List.of(new Prediction(id, ref, target, FashionClass.ofLabel(target).displayName(),
                p, Pixels.toBase64(new byte[784]), Instant.now(), 1.0, true, null)));
        Attribution a = attributions == null ? null : new Attribution(method, target, new short[784], new float[] {1f},
                attributions, 0, 1, null, null, 0.0, null, 0, 10, 1.0, OutputSpace.LOG_ODDS);
        repository.storeExplanation(new ExplanationKey(id, ref, method), "requested", target, a,
                a == null ? "it broke" : null);
    }
}
