package dev.fmnist.inference.rest;

import dev.fmnist.runtime.scoring.ScoringException;
import dev.fmnist.inference.service.ModelUnavailableException;
import jakarta.ws.rs.WebApplicationException;
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

    /**
     * What JAX-RS refuses by itself comes without a body: an unsupported media type (415), a wrong method
     * (405), a path that matches no resource (404). The client gets the protocol's error object with the
     * reason; an answer that has a body already is kept.
     */
    @ServerExceptionMapper
    public Response refused(WebApplicationException e) {
        Response r = e.getResponse();
        if (r.hasEntity()) {
            return r;
        }
        String message = e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null) {
            message += ": " + e.getCause().getMessage().lines().findFirst().orElse("");
        }
        return error(r.getStatus(), message);
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new OipDtos.Error(message)).build();
    }
}
