package dev.fmnist.inference.service;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.scoring.LoadedModel;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the Open Inference Protocol's metadata and readiness calls ask of the served models, the same answers and
 * error words over REST ({@code rest.OipResource}) and gRPC ({@code grpc.OipGrpcService}). A model's only version
 * is the one it serves now; a version named in a request must be that one.
 */
@ApplicationScoped
public class ServedModels {
    private final ModelHolder holder;

    /** The metadata of a served model: its version now and its OIP platform name. */
    public record Served(String name, int version, String platform) {
    }

    public ServedModels(ModelHolder holder) {
        this.holder = holder;
    }

    /**
     * The model as served now, {@code version} (null: any) checked against it.
     *
     * @throws ModelUnavailableException unknown model or version, or none loaded yet
     */
    public Served metadata(String model, String version) {
        requireConfigured(model);
        if (version != null) {
            requireVersion(model, version);
        }
        LoadedModel loaded = holder.peek(model).orElseThrow(() -> notLoaded(model));
        String platform = ModelPublished.FORMAT_ONNX.equals(loaded.scorer().format()) ? "onnxruntime_onnx" : "xgboost_ubj";
        return new Served(model, loaded.version(), platform);
    }

    /**
     * Whether the model (and {@code version}, null: any) has a loaded version.
     *
     * @throws ModelUnavailableException unknown model or version
     */
    public boolean ready(String model, String version) {
        requireConfigured(model);
        if (version != null) {
            requireVersion(model, version);
        }
        return holder.version(model).isPresent();
    }

    public void requireConfigured(String model) {
        if (!holder.isConfigured(model)) {
            throw new ModelUnavailableException(ModelUnavailableException.Kind.NOT_CONFIGURED,
                    "unknown model '" + model + "' (served: " + holder.configured() + ")");
        }
    }

    /** The version named in a request as a number, which must be the version served now. */
    public int requireVersion(String model, String version) {
        requireConfigured(model);
        int v;
        try {
            v = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new ModelUnavailableException(ModelUnavailableException.Kind.VERSION_NOT_LOADED,
                    "unknown version '" + version + "' of model '" + model + "' (versions are numbers)");
        }
        int served = holder.version(model).orElseThrow(() -> notLoaded(model));
        if (served != v) {
            throw new ModelUnavailableException(ModelUnavailableException.Kind.VERSION_NOT_LOADED,
                    "version " + v + " of model '" + model + "' is not served (served: version " + served + ")");
        }
        return v;
    }

    private static ModelUnavailableException notLoaded(String model) {
        return new ModelUnavailableException(ModelUnavailableException.Kind.NOT_LOADED,
                "model '" + model + "' has no loaded version yet");
    }
}
