package dev.fmnist.trainer.rest;

import dev.fmnist.trainer.service.TrainingJob;
import dev.fmnist.trainer.service.TrainingRequest;
import dev.fmnist.trainer.service.TrainingService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;

/** Starts trainings (202 with an id) and reports their state, epoch and metrics so far. */
@Path("/trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {
    private final TrainingService service;

    public TrainingResource(TrainingService service) {
        this.service = service;
    }

    /** Body of {@code POST /trainings}: {@code {"model": "lenet", "epochs": 5, "limit": 6000}}. */
    public record StartTraining(String model, Integer epochs, Integer limit) {
    }

    @POST
    @AdminOnly
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(StartTraining body) {
        if (body == null) {
            throw new IllegalArgumentException("a JSON body {\"model\": \"lenet|cnn|xgboost|all\"} is required");
        }
        TrainingJob job = service.submit(new TrainingRequest(body.model(), body.epochs(),
                body.limit() == null ? 0 : body.limit(), null));
        return Response.accepted(job.status()).location(URI.create("/trainings/" + job.id())).build();
    }

    @GET
    @Path("/{id}")
    public TrainingJob.Status get(@PathParam("id") UUID id) {
        return service.job(id).map(TrainingJob::status).orElseThrow(() -> new NotFoundException(
                ErrorMappers.json(Response.Status.NOT_FOUND, "no training " + id)));
    }
}
