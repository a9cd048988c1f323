package dev.fmnist.explainer.rest;

import dev.fmnist.explainer.domain.PredictionQuery;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the REST API as {@code {"error": "..."}}. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** The body of an error. */
    public record Error(String error) {
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response invalidQuery(PredictionQuery.InvalidQueryException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response database(SQLException e) {
        LOG.error("Database query failed", e);
        return error(503, "the database cannot be read now: " + e.getMessage());
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new Error(message)).build();
    }
}
