package dev.fmnist.inference.rest;

import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.rest.OipDtos.InferenceResponse;
import dev.fmnist.inference.rest.OipDtos.ModelMetadata;
import dev.fmnist.inference.rest.OipDtos.ModelReady;
import dev.fmnist.inference.rest.OipDtos.ResponseOutput;
import dev.fmnist.inference.rest.OipDtos.ServerLive;
import dev.fmnist.inference.rest.OipDtos.ServerMetadata;
import dev.fmnist.inference.rest.OipDtos.ServerReady;
import dev.fmnist.inference.rest.OipDtos.TensorMetadata;
import dev.fmnist.inference.service.ModelLoader;
import dev.fmnist.inference.service.ServedModels;
import dev.fmnist.inference.service.ScoringService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.HeaderParam;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Open Inference Protocol v2, REST (KServe's {@code inference_rest.md}): server and model health
 * and metadata, and inference with the platform's models. A model's only version is the one it
 * serves now: {@code /versions/{v}} must name it (404 otherwise). Errors are {@code {"error": "..."}}:
 * 400 for a request that breaks the input contract, 404 for an unknown model or version, 503 for
 * a configured model with no loaded version yet, 413 for a body over
 * {@code quarkus.http.limits.max-body-size}.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class OipResource {
    static final List<TensorMetadata> INPUTS = List.of(
            new TensorMetadata(InferenceRequestParser.INPUT, InferenceRequestParser.FP32, new long[] {-1, 1, 28, 28}));
    static final List<TensorMetadata> OUTPUTS = List.of(
            new TensorMetadata(InferenceRequestParser.OUTPUT_PROBABILITIES, InferenceRequestParser.FP32, new long[] {-1, 10}),
            new TensorMetadata(InferenceRequestParser.OUTPUT_LABEL, "INT64", new long[] {-1}));

    private final ServedModels models;
    private final ModelLoader loader;
    private final ScoringService scoring;
    private final InferenceRequestParser parser;
    private final String name;
    private final String version;
    private final ObjectMapper mapper;

    public OipResource(ServedModels models, ModelLoader loader, ScoringService scoring, ImagePreprocessor preprocessor,
                       InferenceConfig config, ObjectMapper mapper,
                       @ConfigProperty(name = "quarkus.application.name") String name,
                       @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.mapper = mapper;
        this.models = models;
        this.loader = loader;
        this.scoring = scoring;
        this.parser = new InferenceRequestParser(preprocessor, config.httpMaxImages());
        this.name = name;
        this.version = version;
    }

    /** The protocol extensions served: binary tensor data (see {@link InferenceRequestParser}). */
    static final List<String> EXTENSIONS = List.of("binary_tensor_data");

    @GET
    public ServerMetadata server() {
        return new ServerMetadata(name, version, EXTENSIONS);
    }

    @GET
    @Path("/health/live")
    public ServerLive live() {
        return new ServerLive(true);
    }

    /** 200 when every model is ready (the readiness of {@code /q/health/ready}'s model check), 503 otherwise. */
    @GET
    @Path("/health/ready")
    public Response ready() {
        boolean ready = loader.ready();
        return Response.status(ready ? 200 : 503).entity(new ServerReady(ready)).build();
    }

    @GET
    @Path("/models/{model}")
    public ModelMetadata model(@PathParam("model") String model) {
        return metadata(model, null);
    }

    @GET
    @Path("/models/{model}/versions/{version}")
    public ModelMetadata modelVersion(@PathParam("model") String model, @PathParam("version") String version) {
        return metadata(model, version);
    }

    @GET
    @Path("/models/{model}/ready")
    public Response modelReady(@PathParam("model") String model) {
        return readiness(model, null);
    }

    @GET
    @Path("/models/{model}/versions/{version}/ready")
    public Response modelVersionReady(@PathParam("model") String model, @PathParam("version") String version) {
        return readiness(model, version);
    }

    // JSON, or binary tensor data: Triton's and KServe's clients send those as application/octet-stream or with
    // no Content-Type (which JAX-RS takes as application/octet-stream); the Inference-Header-Content-Length header
    // tells the two kinds apart, not the content type.
    //
    // Not @Blocking: Quarkus REST reads the body of a blocking method on its worker thread, from the event loop chunk
    // by chunk with a hand-off per chunk (about 25 per call of 256 images: 46,000 wake-ups of the event loop and
    // 54,000 of the workers over 2,000 calls). Returning a Uni lets the event loop buffer the whole body first
    // (quarkus.rest.input-buffer-size); parsing and scoring then run on the worker pool, never on the event loop.
    @POST
    @Path("/models/{model}/infer")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    public Uni<Response> infer(@PathParam("model") String model,
                               @HeaderParam(InferenceRequestParser.HEADER_LENGTH) String headerLength, byte[] body) {
        return onWorker(parent -> infer(model, null, headerLength, body, parent));
    }

    @POST
    @Path("/models/{model}/versions/{version}/infer")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    public Uni<Response> inferVersion(@PathParam("model") String model, @PathParam("version") String version,
                                      @HeaderParam(InferenceRequestParser.HEADER_LENGTH) String headerLength, byte[] body) {
        return onWorker(parent -> infer(model, models.requireVersion(model, version), headerLength, body, parent));
    }

    /**
     * Runs {@code call} on the worker pool with the request's trace context, taken here on the event loop (the worker
     * threads are outside the request's Vert.x context, where Quarkus keeps it).
     */
    private static Uni<Response> onWorker(Function<Context, Response> call) {
        Context parent = Context.current();
        return Uni.createFrom().item(() -> call.apply(parent)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Response infer(String model, Integer version, String headerLength, byte[] body, Context parent) {
        models.requireConfigured(model);
        InferenceRequestParser.Parsed request;
        try {
            request = parser.parse(body, headerLength);
        } catch (OipException e) {
            scoring.error(ScoringService.HTTP, "invalid-request");
            throw e;
        }
        ScoringService.Scored scored = scoring.score(ScoringService.HTTP, model, version, request.input(), request.n(),
                parent, null);
        List<ResponseOutput> outputs = new ArrayList<>(2);
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        int n = request.n();
        if (request.outputs().contains(InferenceRequestParser.OUTPUT_PROBABILITIES)) {
            float[] probabilities = scored.probabilities();
            long[] shape = {n, ModelScorer.OUTPUT_SIZE};
            if (request.binaryOutputs().contains(InferenceRequestParser.OUTPUT_PROBABILITIES)) {
                ByteBuffer bytes = ByteBuffer.allocate(probabilities.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(probabilities);
                outputs.add(binaryOutput(InferenceRequestParser.OUTPUT_PROBABILITIES, InferenceRequestParser.FP32, shape,
                        bytes.array(), binary));
            } else {
                outputs.add(new ResponseOutput(InferenceRequestParser.OUTPUT_PROBABILITIES, InferenceRequestParser.FP32,
                        shape, probabilities));
            }
        }
        if (request.outputs().contains(InferenceRequestParser.OUTPUT_LABEL)) {
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = ModelScorers.argmax(scored.probabilities(), i);
            }
            if (request.binaryOutputs().contains(InferenceRequestParser.OUTPUT_LABEL)) {
                ByteBuffer bytes = ByteBuffer.allocate(n * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asLongBuffer().put(labels);
                outputs.add(binaryOutput(InferenceRequestParser.OUTPUT_LABEL, "INT64", new long[] {n}, bytes.array(), binary));
            } else {
                outputs.add(new ResponseOutput(InferenceRequestParser.OUTPUT_LABEL, "INT64", new long[] {n}, labels));
            }
        }
        InferenceResponse response = new InferenceResponse(model, Integer.toString(scored.model().version()), request.id(),
                outputs);
        if (binary.size() == 0) {
            return Response.ok(response, MediaType.APPLICATION_JSON).build();
        }
        // binary tensor data: the JSON, then the tensors in output order; the header says where the JSON ends
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(response);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the inference response", e);
        }
        byte[] answer = new byte[json.length + binary.size()];
        System.arraycopy(json, 0, answer, 0, json.length);
        System.arraycopy(binary.toByteArray(), 0, answer, json.length, binary.size());
        return Response.ok(answer, MediaType.APPLICATION_OCTET_STREAM)
                .header(InferenceRequestParser.HEADER_LENGTH, json.length).build();
    }

    private static ResponseOutput binaryOutput(String name, String datatype, long[] shape, byte[] data,
                                               ByteArrayOutputStream binary) {
        binary.writeBytes(data);
        return new ResponseOutput(name, datatype, shape, Map.of("binary_data_size", data.length), null);
    }

    private ModelMetadata metadata(String model, String version) {
        ServedModels.Served served = models.metadata(model, version);
        return new ModelMetadata(model, List.of(Integer.toString(served.version())), served.platform(), INPUTS, OUTPUTS);
    }

    private Response readiness(String model, String version) {
        boolean ready = models.ready(model, version);
        return Response.status(ready ? 200 : 503).entity(new ModelReady(model, ready)).build();
    }
}
