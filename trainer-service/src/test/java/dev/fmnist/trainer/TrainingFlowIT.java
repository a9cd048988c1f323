package dev.fmnist.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.registry.ModelFolder;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.trainer.cli.TrainerCommands;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Train over REST and the CLI, against the real broker and database: the version lands in the
 * registry with its evaluations, its artifact verifies, and it is announced on fmnist.models.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class TrainingFlowIT {
    static final String TOKEN = "test-admin-token";

    @Inject
    TrainerCommands commands;

    @Test
    void writeEndpointsNeedTheBearerToken() {
        given().contentType(ContentType.JSON).body("{\"model\":\"lenet\"}").post("/trainings")
                .then().statusCode(401).body("error", equalTo("missing bearer token"));
        given().auth().oauth2("wrong").contentType(ContentType.JSON).body("{\"model\":\"lenet\"}").post("/trainings")
                .then().statusCode(401).body("error", equalTo("wrong bearer token"));
    }

    @Test
    void badTrainingRequestsAreRejectedWithAMessage() {
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"model\":\"resnet\"}").post("/trainings")
                .then().statusCode(400).body("error", containsString("unknown model 'resnet'"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"model\":\"lenet\",\"epochs\":-3}").post("/trainings")
                .then().statusCode(400).body("error", containsString("epochs must be a positive number"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"model\":").post("/trainings")
                .then().statusCode(400).body("error", containsString("400"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"model\":\"lenet\",\"epochs\":\"many\"}")
                .post("/trainings").then().statusCode(400).body("error", containsString("epochs"));
        given().get("/trainings/not-a-uuid").then().statusCode(404).body("error", containsString("404"));
        given().get("/trainings/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        given().get("/models/lenet/999").then().statusCode(404).body("error", containsString("no model lenet version 999"));
    }

    @Test
    void cliRejectsBadInputWithExitCodeTwo() {
        assertThat(commands.execute("train", "--model", "resnet")).isEqualTo(2);
        assertThat(commands.execute("train", "--model", "lenet", "--epochs", "-1")).isEqualTo(2);
        assertThat(commands.execute("train")).isEqualTo(2); // --model missing
        assertThat(commands.execute("evaluate", "--model", "cnn", "--version", "77")).isEqualTo(2);
    }

    @Test
    void trainingOverRestRegistersEvaluatesAndAnnouncesANewVersion() throws Exception {
        int before = versions("lenet");
        String id = given().auth().oauth2(TOKEN).contentType(ContentType.JSON)
                .body("{\"model\":\"lenet\",\"epochs\":2,\"limit\":3000}")
                .post("/trainings").then().statusCode(202).body("state", org.hamcrest.Matchers.isOneOf("QUEUED", "RUNNING"))
                .extract().path("id");

        Awaitility.await().atMost(3, TimeUnit.MINUTES).pollInterval(Duration.ofMillis(500)).until(() -> {
            String state = given().get("/trainings/" + id).then().statusCode(200).extract().path("state");
            assertThat(state).isNotEqualTo("FAILED");
            return "SUCCEEDED".equals(state);
        });
        Response status = given().get("/trainings/" + id).then().extract().response();
        assertThat(status.jsonPath().getList("epochs.lenet")).hasSize(2);
        int version = status.jsonPath().getInt("registered[0].version");
        assertThat(version).isEqualTo(before + 1);

        // registry: metadata and evaluations
        Response detail = given().get("/models/lenet/" + version).then().statusCode(200).extract().response();
        double testAccuracy = detail.jsonPath().getDouble("evaluations.test.accuracy");
        assertThat(testAccuracy).isGreaterThan(0.45); // 42 SGD steps on 2,700 images: clearly learning (chance is 0.1)
        assertThat(detail.jsonPath().getList("evaluations.test.perClassAccuracy")).hasSize(10);
        assertThat(detail.jsonPath().getList("evaluations.test.confusionMatrix")).hasSize(10);
        assertThat(detail.jsonPath().getString("version.publishedAt")).isNotNull();
        String sha = detail.jsonPath().getString("version.sha256");

        // the artifact verifies against its digest
        byte[] artifact = given().get("/models/lenet/" + version + "/artifact").then().statusCode(200)
                .header("X-Model-Sha256", sha).extract().asByteArray();
        assertThat(ModelRegistryReader.sha256(artifact)).isEqualTo(sha);

        // the human-readable copy
        Path folder = Path.of(status.jsonPath().getString("registered[0].folder"));
        assertThat(folder.resolve("model.onnx")).exists();
        assertThat(Files.readString(folder.resolve("metadata.json"))).contains(sha);
        // in the layout GpuCheck --models-dir reads (ModelFolder), artifact and digest as registered
        StoredModel fromFolder = ModelFolder.read(folder.getParent().getParent(), "lenet", version);
        assertThat(fromFolder.sha256()).isEqualTo(sha);
        assertThat(fromFolder.artifact()).isEqualTo(artifact);

        // the announcement, after the commit
        try (KafkaTestClient kafka = new KafkaTestClient()) {
            List<ConsumerRecord<String, byte[]>> records = kafka.read(Topics.MODELS, 100, Duration.ofSeconds(10));
            ModelPublished event = records.stream().map(r -> Json.read(r.value(), ModelPublished.class))
                    .filter(e -> e.name().equals("lenet") && e.version() == version).findFirst().orElseThrow();
            assertThat(event.sha256()).isEqualTo(sha);
            assertThat(((Number) event.metrics().get("testAccuracy")).doubleValue()).isEqualTo(testAccuracy);
        }

        // a rerun makes a new version, through the CLI this time
        assertThat(commands.execute("train", "--model", "lenet", "--epochs", "1", "--limit", "1000")).isZero();
        assertThat(versions("lenet")).isEqualTo(version + 1);
        assertThat(commands.execute("evaluate", "--model", "lenet")).isZero();
    }

    @Inject
    dev.fmnist.trainer.service.TrainingService trainingService;

    @Inject
    dev.fmnist.trainer.cli.BenchmarkReport benchmarkReport;

    @Test
    void benchmarkReportTabulatesTheRegisteredVersions() throws Exception {
        var job = trainingService.runNow(new dev.fmnist.trainer.service.TrainingRequest("lenet", 1, 1000, "target/models"),
                dev.fmnist.trainer.domain.TrainingListener.NONE);
        int version = job.registered().get(0).version();
        Path md = benchmarkReport.write(job, Path.of("target", "results"), 12.3);
        String text = Files.readString(md);
        assertThat(text).contains("| lenet | " + version + " | ").contains("| Shirt | 73.80 % |").contains("wall time 12 s");
        assertThat(Files.readString(md.resolveSibling("training.json"))).contains("\"trainedByThisRun\" : true");
    }

    @Test
    void cnnIsRefitOnTrainingAndValidationImagesAndRegisteredWithoutValidationFigures() throws Exception {
        // trainer.cnn.refit is on by default: the pool of 1,000 images is all training, none validation
        var job = trainingService.runNow(new dev.fmnist.trainer.service.TrainingRequest("cnn", 2, 1000, "target/models"),
                dev.fmnist.trainer.domain.TrainingListener.NONE);
        int version = job.registered().get(0).version();
        Response detail = given().get("/models/cnn/" + version).then().statusCode(200).extract().response();
        assertThat(detail.jsonPath().getMap("evaluations")).containsOnlyKeys("train", "test");
        assertThat(detail.jsonPath().getInt("evaluations.train.images")).isEqualTo(1000);
        assertThat(detail.jsonPath().getInt("version.metrics.trainImages")).isEqualTo(1000);
        assertThat(detail.jsonPath().getMap("version.metrics")).doesNotContainKey("validationAccuracy")
                .containsEntry("epochsRun", 2).containsEntry("bestEpoch", 2).containsEntry("onnxParityImages", 1000);
        assertThat(detail.jsonPath().getBoolean("version.params.refit")).isTrue();
        Path md = benchmarkReport.write(job, Path.of("target", "results-refit"), 1.0);
        assertThat(Files.readString(md)).containsPattern("\\| cnn \\| " + version + " \\| [^\\n]*\\| - \\(refit\\) \\| 2 \\(2\\) \\|");
    }

    static int versions(String name) {
        List<Map<String, Object>> all = given().get("/models").then().statusCode(200).extract().jsonPath().getList("$");
        return (int) all.stream().filter(m -> name.equals(m.get("name"))).count();
    }
}
