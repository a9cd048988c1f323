package dev.fmnist.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.inference.grpc.v2.GRPCInferenceServiceGrpc;
import dev.fmnist.inference.grpc.v2.InferTensorContents;
import dev.fmnist.inference.grpc.v2.ModelInferRequest;
import dev.fmnist.inference.grpc.v2.ModelInferResponse;
import dev.fmnist.inference.grpc.v2.ModelMetadataRequest;
import dev.fmnist.inference.grpc.v2.ModelMetadataResponse;
import dev.fmnist.inference.grpc.v2.ModelReadyRequest;
import dev.fmnist.inference.grpc.v2.ServerLiveRequest;
import dev.fmnist.inference.grpc.v2.ServerMetadataRequest;
import dev.fmnist.inference.grpc.v2.ServerReadyRequest;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.RegistryFixture;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Open Inference Protocol v2 over gRPC, called the way a client of the protocol calls it: grpc-java's own stub
 * generated from grpc_predict_v2.proto, over a plain-text channel to the gRPC port. The answers are checked against
 * the model run directly and against the REST API's for the same images.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class GrpcIT {
    Map<String, RegistryFixture.Version> models;
    LabelledImages images;
    ManagedChannel channel;
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip;

    @BeforeEach
    void connect() {
        models = InferenceTestSupport.standardModelsReady();
        images = InferenceTestSupport.testImages();
        // the port the server took (test-port 0: a free one), as Quarkus publishes it
        int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
        assertThat(port).isPositive();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        oip = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void healthAndMetadata() {
        assertThat(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(oip.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName()).isEqualTo("inference-service");
        // the standard gRPC health service on the same port: what the Kubernetes startup probe (grpc) asks
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        int lenet = models.get("lenet").version();
        assertThat(oip.modelReady(ModelReadyRequest.newBuilder().setName("lenet").build()).getReady()).isTrue();
        assertThat(oip.modelReady(ModelReadyRequest.newBuilder().setName("lenet").setVersion(Integer.toString(lenet))
                .build()).getReady()).isTrue();

        ModelMetadataResponse metadata = oip.modelMetadata(ModelMetadataRequest.newBuilder().setName("lenet").build());
        assertThat(metadata.getName()).isEqualTo("lenet");
        assertThat(metadata.getVersionsList()).containsExactly(Integer.toString(lenet));
        assertThat(metadata.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(metadata.getInputs(0).getName()).isEqualTo("image");
        assertThat(metadata.getInputs(0).getShapeList()).containsExactly(-1L, 1L, 28L, 28L);
        assertThat(metadata.getOutputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName)
                .containsExactly("probabilities", "label");
        assertThat(oip.modelMetadata(ModelMetadataRequest.newBuilder().setName("xgboost").build()).getPlatform())
                .isEqualTo("xgboost_ubj");

        assertStatus(() -> oip.modelMetadata(ModelMetadataRequest.newBuilder().setName("resnet").build()),
                Status.Code.NOT_FOUND, "unknown model 'resnet'");
        assertStatus(() -> oip.modelReady(ModelReadyRequest.newBuilder().setName("lenet").setVersion("999").build()),
                Status.Code.NOT_FOUND, "version 999 of model 'lenet' is not served (served: version " + lenet + ")");
    }

    @Test
    void rawUint8BatchIsAnsweredAsRawOutputsLikeTheModelItself() {
        int n = 5;
        byte[] pixels = new byte[n * Pixels.COUNT];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.image(i), 0, pixels, i * Pixels.COUNT, Pixels.COUNT);
        }
        ModelInferResponse response = oip.modelInfer(request("cnn", "UINT8", List.of((long) n, 784L))
                .setId("req-7").addRawInputContents(ByteString.copyFrom(pixels)).build());

        assertThat(response.getModelName()).isEqualTo("cnn");
        assertThat(response.getModelVersion()).isEqualTo(Integer.toString(models.get("cnn").version()));
        assertThat(response.getId()).isEqualTo("req-7");
        assertThat(response.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
                .containsExactly("probabilities", "label");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly((long) n, 10L);
        assertThat(response.getOutputs(0).hasContents()).isFalse();
        assertThat(response.getRawOutputContentsCount()).isEqualTo(2);
        float[] probabilities = floats(response.getRawOutputContents(0));
        long[] labels = longs(response.getRawOutputContents(1));
        try (ModelScorer cnn = models.get("cnn").open()) {
            float[] want = cnn.score(dev.fmnist.runtime.scoring.TestModels.input(images, 0, n), n);
            assertThat(probabilities).hasSize(n * 10);
            for (int i = 0; i < want.length; i++) {
                assertThat(probabilities[i]).isCloseTo(want[i], within(1e-5f));
            }
            for (int i = 0; i < n; i++) {
                assertThat(labels[i]).isEqualTo(ModelScorers.argmax(want, i));
            }
        }
    }

    @Test
    void typedFp32ContentsAreAnsweredAsTypedContentsAndAgreeWithRest() {
        int n = 2;
        float[] input = dev.fmnist.runtime.scoring.TestModels.input(images, 10, n);
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        List<Float> data = new ArrayList<>();
        for (float f : input) {
            contents.addFp32Contents(f);
            data.add(f);
        }
        int lenet = models.get("lenet").version();
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("lenet")
                .setModelVersion(Integer.toString(lenet))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("FP32")
                        .addAllShape(List.of((long) n, 1L, 28L, 28L)).setContents(contents))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label"))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities"));
        ModelInferResponse response = oip.modelInfer(request.build());

        assertThat(response.getRawOutputContentsCount()).isZero();
        assertThat(response.getOutputs(0).getName()).isEqualTo("probabilities");
        List<Float> grpc = response.getOutputs(0).getContents().getFp32ContentsList();
        List<Float> rest = given().contentType(ContentType.JSON)
                .body(Map.of("inputs", List.of(Map.of("name", "image", "shape", List.of(n, 1, 28, 28),
                        "datatype", "FP32", "data", data))))
                .post("/v2/models/lenet/infer").then().statusCode(200)
                .extract().jsonPath().getList("outputs[0].data", Float.class);
        assertThat(grpc).hasSize(n * 10);
        for (int i = 0; i < grpc.size(); i++) {
            assertThat(grpc.get(i)).isCloseTo(rest.get(i), within(1e-6f));
        }
        float[] probabilities = new float[grpc.size()];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = grpc.get(i);
        }
        assertThat(response.getOutputs(1).getContents().getInt64ContentsList())
                .containsExactly((long) ModelScorers.argmax(probabilities, 0), (long) ModelScorers.argmax(probabilities, 1));
    }

    @Test
    void typedUint8ContentsAndOneOutput() {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (byte b : images.image(3)) {
            contents.addUintContents(b & 0xFF);
        }
        ModelInferResponse response = oip.modelInfer(ModelInferRequest.newBuilder().setModelName("xgboost")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("UINT8")
                        .addAllShape(List.of(1L, 784L)).setContents(contents))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label")).build());
        assertThat(response.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
                .containsExactly("label");
        assertThat(response.getOutputs(0).getContents().getInt64ContentsList()).hasSize(1);
    }

    @Test
    void requestsThatBreakTheInputContractHaveTheStatusAndTheReason() {
        byte[] one = images.image(0);
        assertStatus(() -> oip.modelInfer(request("lenet", "INT32", List.of(1L, 784L))
                        .addRawInputContents(ByteString.copyFrom(new byte[784 * 4])).build()),
                Status.Code.INVALID_ARGUMENT, "datatype INT32 is not accepted for input 'image'");
        assertStatus(() -> oip.modelInfer(request("lenet", "UINT8", List.of(1L, 784L))
                        .addRawInputContents(ByteString.copyFrom(one, 0, 700)).build()),
                Status.Code.INVALID_ARGUMENT, "raw_input_contents holds 700 bytes but a UINT8 tensor of shape [1, 784] has 784");
        assertStatus(() -> oip.modelInfer(request("lenet", "UINT8", List.of(1L, 28L, 28L))
                        .addRawInputContents(ByteString.copyFrom(one)).build()),
                Status.Code.INVALID_ARGUMENT, "shape [1, 28, 28] does not fit datatype UINT8");
        assertStatus(() -> oip.modelInfer(ModelInferRequest.newBuilder().setModelName("lenet")
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("UINT8")
                                .addAllShape(List.of(1L, 784L))
                                .setContents(InferTensorContents.newBuilder().addUintContents(300))).build()),
                Status.Code.INVALID_ARGUMENT, "contents.uint_contents of input 'image' holds 1 values but shape [1, 784] needs 784");
        assertStatus(() -> oip.modelInfer(request("lenet", "UINT8", List.of(1L, 784L))
                        .addRawInputContents(ByteString.copyFrom(one))
                        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("logits")).build()),
                Status.Code.INVALID_ARGUMENT, "unknown output 'logits'");
        assertStatus(() -> oip.modelInfer(request("resnet", "UINT8", List.of(1L, 784L))
                        .addRawInputContents(ByteString.copyFrom(one)).build()),
                Status.Code.NOT_FOUND, "unknown model 'resnet'");
        assertStatus(() -> oip.modelInfer(request("lenet", "UINT8", List.of(1L, 784L)).setModelVersion("999")
                        .addRawInputContents(ByteString.copyFrom(one)).build()),
                Status.Code.NOT_FOUND, "version 999 of model 'lenet' is not served");
    }

    private static ModelInferRequest.Builder request(String model, String datatype, List<Long> shape) {
        return ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype(datatype)
                        .addAllShape(shape));
    }

    private static void assertStatus(Runnable call, Status.Code code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    private static float[] floats(ByteString raw) {
        float[] out = new float[raw.size() / Float.BYTES];
        raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static long[] longs(ByteString raw) {
        long[] out = new long[raw.size() / Long.BYTES];
        ByteBuffer.wrap(raw.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }
}
