package dev.fmnist.trainer.rest;

import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.trainer.evaluation.Evaluation;
import dev.fmnist.trainer.repository.ModelRegistryRepository;
import dev.fmnist.trainer.repository.ModelRegistryRepository.VersionInfo;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** Read access to the model registry. */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
    private final ModelRegistryRepository registry;

    public ModelResource(ModelRegistryRepository registry) {
        this.registry = registry;
    }

    /** A version with its evaluations (train, validation, test). */
    public record VersionDetail(VersionInfo version, Map<String, Evaluation> evaluations) {
    }

    @GET
    public List<VersionInfo> list() throws SQLException {
        return registry.list();
    }

    @GET
    @Path("/{name}/{version}")
    public VersionDetail get(@PathParam("name") String name, @PathParam("version") int version) throws SQLException {
        VersionInfo info = registry.info(name, version).orElseThrow(() -> notFound(name, version));
        return new VersionDetail(info, registry.evaluations(name, version));
    }

    @GET
    @Path("/{name}/{version}/artifact")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response artifact(@PathParam("name") String name, @PathParam("version") int version) throws SQLException {
        StoredModel model = registry.artifact(name, version).orElseThrow(() -> notFound(name, version));
        String file = name + "-" + version + ("onnx".equals(model.format()) ? ".onnx" : ".ubj");
        return Response.ok(model.artifact(), MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .header("ETag", "\"" + model.sha256() + "\"")
                .header("X-Model-Sha256", model.sha256())
                .build();
    }

    private static NotFoundException notFound(String name, int version) {
        return new NotFoundException(ErrorMappers.json(Response.Status.NOT_FOUND,
                "no model " + name + " version " + version + " in the registry"));
    }
}
