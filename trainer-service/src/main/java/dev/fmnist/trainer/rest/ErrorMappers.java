package dev.fmnist.trainer.rest;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Clear JSON errors: bad input is a 400, an unreachable registry a 503. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response badInput(IllegalArgumentException e) {
        return json(Response.Status.BAD_REQUEST, e.getMessage());
    }

    /** A body with a JSON value of the wrong type ({@code "epochs": "many"}): Quarkus' own answer has no body outside dev mode. */
    @ServerExceptionMapper
    public Response wrongJsonType(MismatchedInputException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return json(Response.Status.BAD_REQUEST, "the request body does not fit"
                + (field.isEmpty() ? "" : " at '" + field + "'") + ": " + firstLine(e.getOriginalMessage()));
    }

    /**
     * What JAX-RS refuses by itself comes without a body: malformed JSON (400), a path parameter that does not
     * convert, such as a training id that is no UUID (404), an unsupported media type (415), a wrong method
     * (405). The client gets the status with the reason; an answer that has a body already is kept.
     */
    @ServerExceptionMapper
    public Response refused(WebApplicationException e) {
        Response r = e.getResponse();
        if (r.hasEntity()) {
            return r;
        }
        return Response.status(r.getStatus()).type(MediaType.APPLICATION_JSON).entity(Map.of("error", describe(e))).build();
    }

    @ServerExceptionMapper
    public Response registryDown(SQLException e) {
        return json(Response.Status.SERVICE_UNAVAILABLE, "model registry unavailable: " + e.getMessage());
    }

    /** The exception's message, with its cause's first line when it has one (the parser's or converter's reason). */
    static String describe(WebApplicationException e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            message += ": " + firstLine(cause.getMessage());
        }
        return message;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static Response json(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
