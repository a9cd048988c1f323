package dev.fmnist.explainer.rest;

import dev.fmnist.common.Pixels;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.domain.ExplanationDetail;
import dev.fmnist.explainer.repository.XaiQueryRepository;
import dev.fmnist.explainer.service.HeatmapRenderer;
import dev.fmnist.explainer.service.OutlineRenderer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * One explanation: in full as JSON, as a PNG heatmap over its image (the diverging map SHAP's papers draw),
 * or with its top positive segments outlined (the picture LIME's paper draws).
 */
@Path("/api/explanations")
public class ExplanationResource {
    private final XaiQueryRepository repository;
    private final ExplainerConfig config;

    public ExplanationResource(XaiQueryRepository repository, ExplainerConfig config) {
        this.repository = repository;
        this.config = config;
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One explanation with its segments, segment weights, per-pixel attributions and image")
    public ExplanationDetail explanation(@PathParam("id") String id) throws SQLException {
        return find(id);
    }

    @GET
    @Path("/{id}/heatmap.png")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(summary = "The attributions over the image: blue negative, red positive, symmetric around 0, with a colour bar")
    public Response heatmap(@PathParam("id") String id,
                            @Parameter(description = "upscaling of the 28x28 image, 4..32 (default explainer.heatmap.scale)")
                            @QueryParam("scale") String scale) throws SQLException {
        int s = QueryParameters.scale(scale, config.heatmap().defaultScale(), HeatmapRenderer.MIN_SCALE,
                HeatmapRenderer.MAX_SCALE);
        ExplanationDetail e = find(id);
        if (e.attributions() == null) {
            throw new ApiException(409, "explanation " + id + " has no attributions: it failed ("
                    + e.summary().error() + ")");
        }
        byte[] png = HeatmapRenderer.png(Pixels.fromBase64(e.image()), e.attributions(), s);
        return Response.ok(png, "image/png").build();
    }

    @GET
    @Path("/{id}/outline.png")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(summary = "LIME's picture: the top positive segments outlined in yellow over the grey image")
    public Response outline(@PathParam("id") String id,
                            @Parameter(description = "upscaling of the 28x28 image, 4..32 (default explainer.heatmap.scale)")
                            @QueryParam("scale") String scale,
                            @Parameter(description = "how many segments of highest positive weight to outline, 1..50 (default 5)")
                            @QueryParam("top") String top) throws SQLException {
        int s = QueryParameters.scale(scale, config.heatmap().defaultScale(), HeatmapRenderer.MIN_SCALE,
                HeatmapRenderer.MAX_SCALE);
        int k = QueryParameters.top(top, OutlineRenderer.DEFAULT_TOP, OutlineRenderer.MAX_TOP);
        ExplanationDetail e = find(id);
        if (e.segments() == null || e.segmentWeights() == null) {
            throw new ApiException(409, "explanation " + id + " has no segments: it failed ("
                    + e.summary().error() + ")");
        }
        byte[] png = OutlineRenderer.png(Pixels.fromBase64(e.image()), e.segments(), e.segmentWeights(), k, s);
        return Response.ok(png, "image/png").build();
    }

    private ExplanationDetail find(String id) throws SQLException {
        long n;
        try {
            n = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("an explanation id is a positive integer, got '" + id + "'");
        }
        return repository.explanation(n)
                .orElseThrow(() -> ApiException.notFound("no explanation with id " + id));
    }
}
