package dev.fmnist.reliability;

import static dev.fmnist.reliability.HttpProbe.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.launcher.ServiceProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #10, access: every endpoint that changes something (any method but GET and HEAD), as each
 * service's own OpenAPI document lists them, refuses a missing and a wrong bearer token with 401 and a
 * message, except the scoring endpoints, which are the services' purpose and change nothing. An endpoint
 * added later without protection fails this test. With the right token the call gets past the check.
 */
class AccessIT {
    /**
     * Endpoints open by design: scoring an image manages no model. The explainer's upload form sends a
     * photo to fmnist.images like any Kafka client, the same scoring as /api/classify.
     */
    private static final Set<String> SCORING = Set.of(
            "POST /v2/models/{model}/infer",
            "POST /v2/models/{model}/versions/{version}/infer",
            "POST /api/classify",
            "POST /api/uploads");

    private static Platform platform;

    @BeforeAll
    static void startThePlatform() throws Exception {
        platform = Platform.get();
    }

    @Test
    void everyWriteEndpointOfEveryServiceRejectsAMissingOrWrongToken() throws Exception {
        Map<String, ServiceProcess> services = Map.of("trainer-service", platform.trainer(),
                "inference-service", platform.inference(), "explainer-service", platform.explainer());
        HttpProbe probe = new HttpProbe();
        List<String> protectedEndpoints = new ArrayList<>();
        for (Map.Entry<String, ServiceProcess> e : services.entrySet()) {
            ServiceProcess service = e.getValue();
            HttpProbe.Answer openapi = probe.send(get(service.url("/q/openapi?format=json")));
            assertThat(openapi.status()).as(e.getKey() + " OpenAPI document").isEqualTo(200);
            JsonNode paths = new ObjectMapper().readTree(openapi.body()).path("paths");
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> path = it.next();
                for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
                    String method = methods.next().toUpperCase();
                    if (!Set.of("POST", "PUT", "PATCH", "DELETE").contains(method)
                            || SCORING.contains(method + " " + path.getKey())) {
                        continue;
                    }
                    String endpoint = e.getKey() + " " + method + " " + path.getKey();
                    protectedEndpoints.add(endpoint);
                    String url = service.url(path.getKey().replaceAll("\\{[^}]+}", "x"));
                    probe.expect4xx(endpoint + " without a token", 401, request(method, url, null));
                    probe.expect4xx(endpoint + " with a wrong token", 401, request(method, url, "Bearer " + platform.adminToken + "x"));
                    probe.expect4xx(endpoint + " with the token in the wrong scheme", 401,
                            request(method, url, "Basic " + platform.adminToken));
                    HttpProbe.Answer right = probe.send(request(method, url, "Bearer " + platform.adminToken));
                    assertThat(right.status()).as(endpoint + " with the right token (and an empty body) gets past the check")
                            .isNotIn(401, 403);
                }
            }
        }
        assertThat(protectedEndpoints).as("the write endpoints found").contains("trainer-service POST /trainings");
        assertThat(probe.problems()).as("write endpoints that let a caller without the token in").isEmpty();
    }

    private static HttpRequest.Builder request(String method, String url, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString("{}"));
        return authorization == null ? b : b.header("Authorization", authorization);
    }
}
