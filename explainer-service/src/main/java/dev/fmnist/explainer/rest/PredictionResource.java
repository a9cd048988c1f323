package dev.fmnist.explainer.rest;

import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.domain.ExplanationSummary;
import dev.fmnist.explainer.domain.Page;
import dev.fmnist.explainer.domain.PredictionDetail;
import dev.fmnist.explainer.domain.PredictionQuery;
import dev.fmnist.explainer.domain.PredictionSummary;
import dev.fmnist.explainer.domain.WorkItem;
import dev.fmnist.explainer.repository.XaiQueryRepository;
import dev.fmnist.explainer.service.HeatmapRenderer;
import dev.fmnist.xai.MethodAgreement;
import dev.fmnist.xai.MethodAgreements;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Stored predictions: a filtered, paged list (newest first) and one request with its explanations. */
@Path("/api/predictions")
@Produces(MediaType.APPLICATION_JSON)
public class PredictionResource {

    /**
     * One request: its prediction per model (and version), its stored explanations (status succeeded or
     * failed), the ones still in the work queue ({@code pending}: status pending or running), and how far
     * the methods agree per model (rank correlation of their segment weights).
     */
    public record RequestView(String requestId, List<PredictionDetail> predictions,
                              List<ExplanationSummary> explanations, List<WorkItem.Pending> pending,
                              List<MethodAgreement> agreements) {
    }

    private final XaiQueryRepository repository;
    private final ExplainerConfig config;

    public PredictionResource(XaiQueryRepository repository, ExplainerConfig config) {
        this.repository = repository;
        this.config = config;
    }

    @GET
    @Operation(summary = "Stored predictions, newest first, filtered and paged")
    public Page<PredictionSummary> list(
            @Parameter(description = "cnn, lenet, xgboost or forest") @QueryParam("model") String model,
            @Parameter(description = "predicted label 0..9") @QueryParam("label") String label,
            @Parameter(description = "true: predicted label = true label; false: it differs (labelled traffic only)")
            @QueryParam("correct") String correct,
            @Parameter(description = "probability of the predicted class at least, 0..1")
            @QueryParam("minConfidence") String minConfidence,
            @Parameter(description = "probability of the predicted class at most, 0..1")
            @QueryParam("maxConfidence") String maxConfidence,
            @Parameter(description = "0-based page") @QueryParam("page") String page,
            @Parameter(description = "page size, 1..explainer.api.max-page-size") @QueryParam("size") String size)
            throws SQLException {
        PredictionQuery query = PredictionQuery.parse(model, label, correct, minConfidence, maxConfidence, page, size,
                config.api().defaultPageSize(), config.api().maxPageSize());
        return repository.predictions(query);
    }

    @GET
    @Path("/{requestId}")
    @Operation(summary = "One request: its predictions per model and its explanations")
    public RequestView request(@PathParam("requestId") String requestId) throws SQLException {
        List<PredictionDetail> predictions = repository.predictionsOf(requestId);
        if (predictions.isEmpty()) {
            throw ApiException.notFound("no prediction with request id '" + requestId + "'");
        }
        return new RequestView(requestId, predictions, repository.explanationsOf(requestId),
                repository.pendingOf(requestId), MethodAgreements.of(repository.segmentWeightsOf(requestId)));
    }

    @GET
    @Path("/{requestId}/image.png")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(summary = "The 28x28 image the models saw, upscaled (thumbnails of the web page)")
    public Response image(@PathParam("requestId") String requestId,
                          @Parameter(description = "upscaling, 1..32 (default 2)") @QueryParam("scale") String scale)
            throws SQLException {
        int s = QueryParameters.scale(scale, 2, 1, HeatmapRenderer.MAX_SCALE);
        byte[] pixels = repository.imageOf(requestId)
                .orElseThrow(() -> ApiException.notFound("no prediction with request id '" + requestId + "'"));
        // immutable per request id: browsers may keep it
        return Response.ok(HeatmapRenderer.imagePng(pixels, s), "image/png")
                .header("Cache-Control", "max-age=3600").build();
    }
}
