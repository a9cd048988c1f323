package dev.fmnist.inference.grpc;

import com.google.protobuf.ByteString;
import dev.fmnist.inference.grpc.v2.GRPCInferenceService;
import dev.fmnist.inference.grpc.v2.InferTensorContents;
import dev.fmnist.inference.grpc.v2.ModelInferRequest;
import dev.fmnist.inference.grpc.v2.ModelInferResponse;
import dev.fmnist.inference.grpc.v2.ModelMetadataRequest;
import dev.fmnist.inference.grpc.v2.ModelMetadataResponse;
import dev.fmnist.inference.grpc.v2.ModelReadyRequest;
import dev.fmnist.inference.grpc.v2.ModelReadyResponse;
import dev.fmnist.inference.grpc.v2.ServerLiveRequest;
import dev.fmnist.inference.grpc.v2.ServerLiveResponse;
import dev.fmnist.inference.grpc.v2.ServerMetadataRequest;
import dev.fmnist.inference.grpc.v2.ServerMetadataResponse;
import dev.fmnist.inference.grpc.v2.ServerReadyRequest;
import dev.fmnist.inference.grpc.v2.ServerReadyResponse;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.rest.InferenceRequestParser;
import dev.fmnist.inference.rest.OipException;
import dev.fmnist.inference.service.ModelLoader;
import dev.fmnist.inference.service.ModelUnavailableException;
import dev.fmnist.inference.service.ScoringService;
import dev.fmnist.inference.service.ServedModels;
import dev.fmnist.runtime.scoring.ModelScorer;
import dev.fmnist.runtime.scoring.ModelScorers;
import dev.fmnist.runtime.scoring.ScoringException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Open Inference Protocol v2 over gRPC ({@code inference.GRPCInferenceService} of {@code grpc_predict_v2.proto}) on
 * the gRPC port ({@code quarkus.grpc.server.port}): the same models, checks, scoring call and error words as the REST
 * API ({@code OipResource}).
 *
 * <p>The input {@code image} is UINT8 (pixels), FP32 (pixel / 255) or BYTES (PNG/JPEG files or 784 raw pixels), shape
 * {@code [N,784]} or {@code [N,1,28,28]} ({@code [N]} or {@code [N,1]} for BYTES), in {@code raw_input_contents} or in
 * the typed contents ({@code uint_contents}, {@code fp32_contents}, {@code bytes_contents}). The outputs come as
 * {@code raw_output_contents} when the request sent raw inputs (as Triton answers), else as typed contents.
 *
 * <p>Errors are gRPC statuses with the REST API's messages: INVALID_ARGUMENT where REST answers 400, NOT_FOUND for 404
 * (unknown model or version), UNAVAILABLE for 503 (no loaded version yet), INTERNAL when the model call fails.
 * ModelInfer runs on the worker pool (the REST API's), never on the gRPC event loop; the other calls read memory only.
 */
@GrpcService
public class OipGrpcService implements GRPCInferenceService {
    private static final Logger LOG = Logger.getLogger(OipGrpcService.class);
    static final String RAW_INPUT = "raw_input_contents";

    private final ServedModels models;
    private final ModelLoader loader;
    private final ScoringService scoring;
    private final InferenceRequestParser parser;
    private final String name;
    private final String version;

    public OipGrpcService(ServedModels models, ModelLoader loader, ScoringService scoring,
                          ImagePreprocessor preprocessor, InferenceConfig config,
                          @ConfigProperty(name = "quarkus.application.name") String name,
                          @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.models = models;
        this.loader = loader;
        this.scoring = scoring;
        this.parser = new InferenceRequestParser(preprocessor, config.httpMaxImages());
        this.name = name;
        this.version = version;
    }

    @Override
    public Uni<ServerLiveResponse> serverLive(ServerLiveRequest request) {
        return Uni.createFrom().item(ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public Uni<ServerReadyResponse> serverReady(ServerReadyRequest request) {
        return Uni.createFrom().item(ServerReadyResponse.newBuilder().setReady(loader.ready()).build());
    }

    @Override
    public Uni<ServerMetadataResponse> serverMetadata(ServerMetadataRequest request) {
        // the binary tensor data extension is REST's; over gRPC raw contents are part of the protocol itself
        return Uni.createFrom().item(ServerMetadataResponse.newBuilder().setName(name).setVersion(version).build());
    }

    @Override
    public Uni<ModelReadyResponse> modelReady(ModelReadyRequest request) {
        return answer(() -> ModelReadyResponse.newBuilder()
                .setReady(models.ready(request.getName(), versionOrNull(request.getVersion()))).build());
    }

    @Override
    public Uni<ModelMetadataResponse> modelMetadata(ModelMetadataRequest request) {
        return answer(() -> {
            ServedModels.Served served = models.metadata(request.getName(), versionOrNull(request.getVersion()));
            return ModelMetadataResponse.newBuilder()
                    .setName(served.name())
                    .addVersions(Integer.toString(served.version()))
                    .setPlatform(served.platform())
                    .addInputs(tensor(InferenceRequestParser.INPUT, InferenceRequestParser.FP32, -1, 1, Pixels.SIDE, Pixels.SIDE))
                    .addOutputs(tensor(InferenceRequestParser.OUTPUT_PROBABILITIES, InferenceRequestParser.FP32, -1,
                            ModelScorer.OUTPUT_SIZE))
                    .addOutputs(tensor(InferenceRequestParser.OUTPUT_LABEL, "INT64", -1))
                    .build();
        });
    }

    @Override
    @Blocking
    public Uni<ModelInferResponse> modelInfer(ModelInferRequest request) {
        return answer(() -> infer(request));
    }

    private ModelInferResponse infer(ModelInferRequest request) {
        String model = request.getModelName();
        models.requireConfigured(model);
        Integer requestedVersion = request.getModelVersion().isEmpty() ? null
                : models.requireVersion(model, request.getModelVersion());
        InferenceRequestParser.Parsed parsed;
        boolean raw = request.getRawInputContentsCount() > 0;
        try {
            parsed = parse(request, raw);
        } catch (OipException e) {
            scoring.error(ScoringService.GRPC, "invalid-request");
            throw e;
        }
        ScoringService.Scored scored = scoring.score(ScoringService.GRPC, model, requestedVersion, parsed.input(),
                parsed.n());
        int n = parsed.n();
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(model)
                .setModelVersion(Integer.toString(scored.model().version()))
                .setId(request.getId());
        // in the model's order, whatever order they were asked in
        if (parsed.outputs().contains(InferenceRequestParser.OUTPUT_PROBABILITIES)) {
            float[] probabilities = scored.probabilities();
            ModelInferResponse.InferOutputTensor.Builder out = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(InferenceRequestParser.OUTPUT_PROBABILITIES).setDatatype(InferenceRequestParser.FP32)
                    .addShape(n).addShape(ModelScorer.OUTPUT_SIZE);
            if (raw) {
                ByteBuffer bytes = ByteBuffer.allocate(probabilities.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(probabilities);
                response.addRawOutputContents(ByteString.copyFrom(bytes.array()));
            } else {
                InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                for (float p : probabilities) {
                    contents.addFp32Contents(p);
                }
                out.setContents(contents);
            }
            response.addOutputs(out);
        }
        if (parsed.outputs().contains(InferenceRequestParser.OUTPUT_LABEL)) {
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = ModelScorers.argmax(scored.probabilities(), i);
            }
            ModelInferResponse.InferOutputTensor.Builder out = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(InferenceRequestParser.OUTPUT_LABEL).setDatatype("INT64").addShape(n);
            if (raw) {
                ByteBuffer bytes = ByteBuffer.allocate(n * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asLongBuffer().put(labels);
                response.addRawOutputContents(ByteString.copyFrom(bytes.array()));
            } else {
                InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                for (long label : labels) {
                    contents.addInt64Contents(label);
                }
                out.setContents(contents);
            }
            response.addOutputs(out);
        }
        return response.build();
    }

    /** The request's one input, from raw_input_contents or from its typed contents. */
    private InferenceRequestParser.Parsed parse(ModelInferRequest request, boolean raw) {
        if (request.getInputsCount() != 1) {
            throw OipException.badRequest(request.getInputsCount() == 0
                    ? "'inputs' must hold the input '" + InferenceRequestParser.INPUT + "'"
                    : "the model takes one input, '" + InferenceRequestParser.INPUT + "'; got " + request.getInputsCount());
        }
        ModelInferRequest.InferInputTensor input = request.getInputs(0);
        if (!InferenceRequestParser.INPUT.equals(input.getName())) {
            throw OipException.badRequest("unknown input '" + input.getName() + "': the model takes one input named '"
                    + InferenceRequestParser.INPUT + "'");
        }
        Set<String> outputs = InferenceRequestParser.requestedOutputs(
                request.getOutputsList().stream().map(ModelInferRequest.InferRequestedOutputTensor::getName).toList());
        String datatype = input.getDatatype();
        long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
        if (raw) {
            if (input.hasContents()) {
                throw OipException.badRequest("input '" + InferenceRequestParser.INPUT + "' has both contents and "
                        + RAW_INPUT + ": send one");
            }
            if (request.getRawInputContentsCount() != 1) {
                throw OipException.badRequest(RAW_INPUT + " must hold one entry per input (1), got "
                        + request.getRawInputContentsCount());
            }
            return parser.fromRaw(request.getId(), datatype, shape, request.getRawInputContents(0).toByteArray(),
                    RAW_INPUT, outputs);
        }
        InferTensorContents contents = input.getContents();
        long elements = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        InferenceRequestParser.requireDatatype(datatype);
        String field = "contents." + switch (datatype) {
            case InferenceRequestParser.UINT8 -> "uint_contents";
            case InferenceRequestParser.FP32 -> "fp32_contents";
            default -> "bytes_contents";
        };
        int count = switch (datatype) {
            case InferenceRequestParser.UINT8 -> contents.getUintContentsCount();
            case InferenceRequestParser.FP32 -> contents.getFp32ContentsCount();
            default -> contents.getBytesContentsCount();
        };
        if (count != elements) {
            throw OipException.badRequest(field + " of input '" + InferenceRequestParser.INPUT + "' holds " + count
                    + " values but shape " + Arrays.toString(shape) + " needs " + elements);
        }
        return parser.fromRaw(request.getId(), datatype, shape, rawBytes(datatype, contents), field, outputs);
    }

    /** Typed contents as raw_input_contents would carry them (little-endian; BYTES each with its 4-byte length). */
    private static byte[] rawBytes(String datatype, InferTensorContents contents) {
        switch (datatype) {
            case InferenceRequestParser.UINT8 -> {
                byte[] bytes = new byte[contents.getUintContentsCount()];
                for (int i = 0; i < bytes.length; i++) {
                    int p = contents.getUintContents(i);
                    // uint32 on the wire: a Java int below 0 is a value above 2^31
                    if (p < 0 || p > 255) {
                        throw OipException.badRequest("uint_contents[" + i + "] = " + Integer.toUnsignedString(p)
                                + " is outside the UINT8 range 0..255");
                    }
                    bytes[i] = (byte) p;
                }
                return bytes;
            }
            case InferenceRequestParser.FP32 -> {
                ByteBuffer bytes = ByteBuffer.allocate(contents.getFp32ContentsCount() * Float.BYTES)
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < contents.getFp32ContentsCount(); i++) {
                    bytes.putFloat(contents.getFp32Contents(i));
                }
                return bytes.array();
            }
            default -> {
                int size = 0;
                for (ByteString element : contents.getBytesContentsList()) {
                    size += Integer.BYTES + element.size();
                }
                ByteBuffer bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
                for (ByteString element : contents.getBytesContentsList()) {
                    bytes.putInt(element.size());
                    bytes.put(element.asReadOnlyByteBuffer());
                }
                return bytes.array();
            }
        }
    }

    private static ModelMetadataResponse.TensorMetadata tensor(String name, String datatype, long... shape) {
        ModelMetadataResponse.TensorMetadata.Builder tensor = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(name).setDatatype(datatype);
        for (long d : shape) {
            tensor.addShape(d);
        }
        return tensor.build();
    }

    private static String versionOrNull(String version) {
        return version.isEmpty() ? null : version;
    }

    /** The call's answer, or its failure as the gRPC status that says why. */
    private static <T> Uni<T> answer(Supplier<T> call) {
        try {
            return Uni.createFrom().item(call.get());
        } catch (OipException e) {
            return Uni.createFrom().failure(status(Status.INVALID_ARGUMENT, e));
        } catch (ModelUnavailableException e) {
            Status status = e.kind() == ModelUnavailableException.Kind.NOT_LOADED ? Status.UNAVAILABLE : Status.NOT_FOUND;
            return Uni.createFrom().failure(status(status, e));
        } catch (ScoringException e) {
            LOG.error("Scoring failed", e);
            return Uni.createFrom().failure(status(Status.INTERNAL, e));
        }
    }

    private static StatusRuntimeException status(Status status, RuntimeException e) {
        return status.withDescription(e.getMessage()).asRuntimeException();
    }
}
