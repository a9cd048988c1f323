package dev.fmnist.trainer.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Clear JSON errors: bad input is a 400, an unreachable registry a 503. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response badInput(IllegalArgumentException e) {
        return json(Response.Status.BAD_REQUEST, e.getMessage());
    }

    @ServerExceptionMapper
    public Response registryDown(SQLException e) {
        return json(Response.Status.SERVICE_UNAVAILABLE, "model registry unavailable: " + e.getMessage());
    }

    static Response json(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
