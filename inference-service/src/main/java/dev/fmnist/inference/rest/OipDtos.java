package dev.fmnist.inference.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** JSON objects of the Open Inference Protocol v2 (REST), as the specification names their fields. */
public final class OipDtos {
    private OipDtos() {
    }

    /** {@code $metadata_server_response}. */
    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    /** {@code $live_server_response}. */
    public record ServerLive(boolean live) {
    }

    /** {@code $ready_server_response}. */
    public record ServerReady(boolean ready) {
    }

    /** {@code $ready_model_response}. */
    public record ModelReady(String name, boolean ready) {
    }

    /** {@code $metadata_tensor}: variable dimensions are -1. */
    public record TensorMetadata(String name, String datatype, long[] shape) {
    }

    /** {@code $metadata_model_response}. */
    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
                                List<TensorMetadata> outputs) {
    }

    /**
     * {@code $response_output}: {@code data} in JSON, or {@code parameters.binary_data_size} when the
     * tensor follows the JSON as binary data (then {@code data} is left out).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResponseOutput(String name, String datatype, long[] shape, Map<String, Object> parameters,
                                 Object data) {
        public ResponseOutput(String name, String datatype, long[] shape, Object data) {
            this(name, datatype, shape, null, data);
        }
    }

    /** {@code $inference_response}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferenceResponse(@JsonProperty("model_name") String modelName,
                                    @JsonProperty("model_version") String modelVersion, String id,
                                    List<ResponseOutput> outputs) {
    }

    /** Error object of every failed call. */
    public record Error(String error) {
    }
}
