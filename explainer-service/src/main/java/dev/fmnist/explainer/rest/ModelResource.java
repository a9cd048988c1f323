package dev.fmnist.explainer.rest;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.scoring.LoadedModel;
import dev.fmnist.runtime.scoring.XgboostScorer;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.explainer.domain.ClassMeanAttribution;
import dev.fmnist.explainer.domain.FeatureImportance;
import dev.fmnist.explainer.domain.MeanAttributions;
import dev.fmnist.explainer.domain.ModelReport;
import dev.fmnist.explainer.domain.ModelVersionSummary;
import dev.fmnist.explainer.repository.RegistryViewRepository;
import dev.fmnist.explainer.repository.XaiQueryRepository;

import dev.fmnist.explainer.service.HeatmapRenderer;
import dev.fmnist.runtime.ModelLoadException;
import dev.fmnist.explainer.service.ScorerCache;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * Global views of a model: the XGBoost importance map (gain per pixel, the paper's Fig. 4) read from
 * the booster of the registry, and the mean |attribution| per pixel and class over the stored
 * explanations of one method.
 */
@Path("/api/models")
public class ModelResource {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final int GRID_COLUMNS = 5;

    private final ScorerCache models;
    private final XaiQueryRepository repository;
    private final RegistryViewRepository registry;
    private final ExplainerConfig config;

    public ModelResource(ScorerCache models, XaiQueryRepository repository, RegistryViewRepository registry,
                         ExplainerConfig config) {
        this.models = models;
        this.repository = repository;
        this.registry = registry;
        this.config = config;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every published model version, newest first per model, with its test accuracy")
    public List<ModelVersionSummary> versions() throws SQLException {
        return registry.versions();
    }

    @GET
    @Path("/{name}/{version}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One version as the paper reports it: evaluation per split (accuracy, per-class accuracy, "
            + "confusion matrix), accuracy per epoch, accuracy on the labelled traffic stored since, importance map link")
    public ModelReport report(@PathParam("name") String name,
                              @Parameter(description = "a version number or 'latest'") @PathParam("version") String version)
            throws SQLException {
        requireName(name);
        int v = "latest".equals(version)
                ? registry.latestVersion(name).orElseThrow(() -> ApiException.notFound("no published version of " + name))
                : version(version);
        ModelReport report = registry.report(name, v)
                .orElseThrow(() -> ApiException.notFound("no published version " + name + "/" + v));
        String importance = ModelPublished.FORMAT_XGBOOST_UBJ.equals(report.format())
                ? "/api/models/" + name + "/" + v + "/importance.png" : null;
        return report.with(repository.liveAccuracy(name, v), importance);
    }

    @GET
    @Path("/{name}/{version}/importance")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "XGBoost feature importance per pixel (784 values, normalised to sum 1) of one version")
    public FeatureImportance importance(@PathParam("name") String name, @PathParam("version") String version,
                                        @Parameter(description = "gain (default), total_gain, weight, cover or total_cover")
                                        @QueryParam("type") String type) {
        return importanceOf(name, version, type);
    }

    @GET
    @Path("/{name}/{version}/importance.png")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(summary = "The XGBoost importance map as a 28x28 heatmap, upscaled")
    public Response importancePng(@PathParam("name") String name, @PathParam("version") String version,
                                  @QueryParam("type") String type, @QueryParam("scale") String scale) {
        int s = QueryParameters.scale(scale, config.heatmap().defaultScale(), HeatmapRenderer.MIN_SCALE,
                HeatmapRenderer.MAX_SCALE);
        FeatureImportance f = importanceOf(name, version, type);
        return Response.ok(HeatmapRenderer.png(HeatmapRenderer.blank(), f.importance(), s), "image/png").build();
    }

    @GET
    @Path("/{name}/mean-attributions")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Mean |attribution| per pixel and predicted class over the stored succeeded explanations")
    public MeanAttributions meanAttributions(@PathParam("name") String name,
                                             @Parameter(description = "lime, kernel_shap or tree_shap")
                                             @QueryParam("method") String method,
                                             @Parameter(description = "one version; every version when left out")
                                             @QueryParam("version") String version) throws SQLException {
        return meanOf(name, method, version);
    }

    @GET
    @Path("/{name}/mean-attributions.png")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(summary = "The ten class maps of mean |attribution| in a grid")
    public Response meanAttributionsPng(@PathParam("name") String name, @QueryParam("method") String method,
                                        @QueryParam("version") String version, @QueryParam("scale") String scale)
            throws SQLException {
        int s = QueryParameters.scale(scale, config.heatmap().defaultScale(), HeatmapRenderer.MIN_SCALE,
                HeatmapRenderer.MAX_SCALE);
        MeanAttributions m = meanOf(name, method, version);
        List<String> titles = new ArrayList<>();
        List<float[]> maps = new ArrayList<>();
        for (ClassMeanAttribution c : m.classes()) {
            titles.add(c.targetClass() + " " + c.className() + " (n=" + c.count() + ")");
            maps.add(c.meanAbs());
        }
        return Response.ok(HeatmapRenderer.gridPng(titles, maps, GRID_COLUMNS, s), "image/png").build();
    }

    private FeatureImportance importanceOf(String name, String rawVersion, String rawType) {
        requireName(name);
        int version = version(rawVersion);
        String type = rawType == null || rawType.isBlank() ? "gain" : rawType.trim();
        if (!XgboostScorer.IMPORTANCE_TYPES.contains(type)) {
            throw ApiException.badRequest("type must be one of " + XgboostScorer.IMPORTANCE_TYPES + ", got '" + rawType
                    + "'");
        }
        ModelRef ref = new ModelRef(name, version);
        LoadedModel loaded;
        try {
            loaded = models.acquire(ref);
        } catch (ModelLoadException e) {
            throw new ApiException(e.permanent() ? 404 : 503, e.getMessage());
        }
        try {
            if (!(loaded.scorer() instanceof XgboostScorer xgb)) {
                throw ApiException.badRequest(ref + " is not an XGBoost model (" + loaded.scorer().format()
                        + "): feature importance exists only for boosted trees");
            }
            float[] raw = xgb.importance(type);
            double sum = 0;
            for (float v : raw) {
                sum += v;
            }
            float[] normalised = new float[raw.length];
            float max = 0;
            for (int i = 0; i < raw.length; i++) {
                normalised[i] = sum > 0 ? (float) (raw[i] / sum) : 0f;
                max = Math.max(max, normalised[i]);
            }
            return new FeatureImportance(name, version, type, normalised, max, sum);
        } finally {
            loaded.release();
        }
    }

    private MeanAttributions meanOf(String name, String rawMethod, String rawVersion) throws SQLException {
        requireName(name);
        if (rawMethod == null || rawMethod.isBlank()) {
            throw ApiException.badRequest("method is required: one of " + ExplanationStored.METHODS);
        }
        String method = rawMethod.trim();
        if (!ExplanationStored.METHODS.contains(method)) {
            throw ApiException.badRequest("method must be one of " + ExplanationStored.METHODS + ", got '" + rawMethod
                    + "'");
        }
        Integer version = rawVersion == null || rawVersion.isBlank() ? null : version(rawVersion);
        MeanAttributions m = repository.meanAttributions(name, version, method);
        if (m.count() == 0) {
            throw ApiException.notFound("no succeeded " + method + " explanation of " + name
                    + (version == null ? "" : "/" + version) + " is stored");
        }
        return m;
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("a model name is lower-case letters, digits, '-' and '_', got '" + name + "'");
        }
    }

    private static int version(String raw) {
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("a version is a positive integer, got '" + raw + "'");
    }
}
