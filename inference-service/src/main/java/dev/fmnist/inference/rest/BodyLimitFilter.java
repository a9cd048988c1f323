package dev.fmnist.inference.rest;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a request whose declared body is larger than {@code quarkus.http.limits.max-body-size}
 * with 413 and the protocol's {@code {"error": "..."}} object, before any of it is read. (A chunked
 * body without Content-Length that grows past the limit is cut off by Vert.x with a bare 413.)
 */
@ApplicationScoped
public class BodyLimitFilter {
    private final long maxBytes;

    public BodyLimitFilter(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBytes = maxBodySize.asLongValue();
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    declared = -1;
                }
                if (declared > maxBytes) {
                    ctx.response().setStatusCode(413)
                            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .putHeader(HttpHeaders.CONNECTION, "close")
                            .end("{\"error\":\"the request body has " + declared + " bytes, more than the limit of "
                                    + maxBytes + " bytes\"}");
                    return;
                }
            }
            ctx.next();
        });
    }
}
