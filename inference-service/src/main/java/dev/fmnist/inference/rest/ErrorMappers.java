package dev.fmnist.inference.rest;

import dev.fmnist.common.scoring.ScoringException;
import dev.fmnist.inference.service.ModelUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the REST API as {@code {"error": "..."}}. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response oip(OipException e) {
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response unavailable(ModelUnavailableException e) {
        int status = e.kind() == ModelUnavailableException.Kind.NOT_LOADED ? 503 : 404;
        return error(status, e.getMessage());
    }

    @ServerExceptionMapper
    public Response scoring(ScoringException e) {
        LOG.error("Scoring failed", e);
        return error(500, e.getMessage());
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new OipDtos.Error(message)).build();
    }
}
