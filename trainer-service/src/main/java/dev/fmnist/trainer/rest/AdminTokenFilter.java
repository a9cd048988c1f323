package dev.fmnist.trainer.rest;

import dev.fmnist.trainer.config.TrainerConfig;
import jakarta.inject.Provider;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/** Checks the bearer token of {@link AdminOnly} endpoints, in constant time. */
@jakarta.ws.rs.ext.Provider
@AdminOnly
public class AdminTokenFilter implements ContainerRequestFilter {
    // a Provider: filters are created at static init, before the runtime configuration exists
    private final Provider<TrainerConfig> configProvider;

    public AdminTokenFilter(Provider<TrainerConfig> configProvider) {
        this.configProvider = configProvider;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        TrainerConfig config = configProvider.get();
        if (config.adminToken().isEmpty() || config.adminToken().get().isBlank()) {
            request.abortWith(error(Response.Status.FORBIDDEN,
                    "write endpoints are disabled: set trainer.admin-token (TRAINER_ADMIN_TOKEN) to enable them"));
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            request.abortWith(error(Response.Status.UNAUTHORIZED, "missing bearer token"));
            return;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        byte[] expected = config.adminToken().get().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, expected)) {
            request.abortWith(error(Response.Status.UNAUTHORIZED, "wrong bearer token"));
        }
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).header("WWW-Authenticate", "Bearer")
                .entity(Map.of("error", message)).build();
    }
}
