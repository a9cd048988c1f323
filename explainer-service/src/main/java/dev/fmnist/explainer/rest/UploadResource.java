package dev.fmnist.explainer.rest;

import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.image.InvalidImageException;
import dev.fmnist.common.messaging.InvalidMessageException;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.messaging.ScoreRequestPublisher;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.logging.Logger;

/**
 * The upload form's endpoint: a photo (PNG or JPEG bytes as the body) is checked here, then sent to
 * {@code fmnist.images} asking for explanations; the page follows {@code /api/predictions/{id}}
 * until the predictions and explanations are stored.
 */
@Path("/api/uploads")
public class UploadResource {
    private static final Logger LOG = Logger.getLogger(UploadResource.class);

    /** What the client follows once the upload is on its way. */
    public record Accepted(String requestId, List<String> models, String prediction, String page) {
    }

    private final ScoreRequestPublisher publisher;
    private final ExplainerConfig config;
    private final ImagePreprocessor preprocessor;

    public UploadResource(ScoreRequestPublisher publisher, ExplainerConfig config) {
        this.publisher = publisher;
        this.config = config;
        this.preprocessor = new ImagePreprocessor(config.upload().maxBytes(), config.upload().maxPixels());
    }

    @POST
    @Consumes({"image/png", "image/jpeg", MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Classify and explain a photo: 202 with the request id to follow")
    public Response upload(@Parameter(description = "cnn, lenet, xgboost, forest or all (default)") @QueryParam("model")
                           String model, byte[] body) {
        String models = model == null || model.isBlank() ? ModelNames.ALL : model.trim();
        List<String> resolved;
        try {
            resolved = ModelNames.resolve(models);
        } catch (InvalidMessageException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("the body is empty: send the bytes of a PNG or JPEG file");
        }
        if (body.length > config.upload().maxBytes()) {
            throw new ApiException(413, "the image has " + body.length + " bytes, more than the limit of "
                    + config.upload().maxBytes());
        }
        if (!ImagePreprocessor.looksEncoded(body)) {
            throw new ApiException(415, "the body is not a PNG or JPEG file");
        }
        byte[] pixels;
        try {
            // Preprocessed here with common's ImagePreprocessor (the inference service's own code): a broken
            // file is answered now rather than dead-lettered later, and a phone photo of megabytes becomes
            // 784 bytes, far below the broker's record size limit.
            pixels = preprocessor.preprocess(body);
        } catch (InvalidImageException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        String id = "upload-" + UUID.randomUUID();
        ScoreRequest request = new ScoreRequest(id, pixels, models, true, Instant.now(), null);
        try {
            publisher.send(request, config.upload().sendTimeout());
        } catch (TimeoutException | ExecutionException e) {
            LOG.warnf("Upload %s could not be sent to Kafka: %s", id, e.toString());
            throw new ApiException(503, "the image could not be queued for scoring now: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while queueing the image");
        }
        LOG.infof("Upload %s (%d bytes) sent for %s", id, body.length, models);
        return Response.accepted(new Accepted(id, resolved, "/api/predictions/" + id, "/#/prediction/" + id)).build();
    }
}
