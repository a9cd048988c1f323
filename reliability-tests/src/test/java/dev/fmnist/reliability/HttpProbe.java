package dev.fmnist.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends bad requests to a running service and collects every answer that is not a 4xx with a message
 * (a 5xx, a 2xx, a bare status without a body, or no answer at all within the timeout), so that one
 * run shows every case that misbehaves rather than the first.
 */
final class HttpProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> problems = new ArrayList<>();
    private int cases;

    /** One answer, its body as text. */
    record Answer(int status, String body) {
        /** The {@code error} (or {@code message}) text of a JSON body, else the body itself. */
        String message() {
            try {
                JsonNode n = JSON.readTree(body);
                if (n != null && n.isObject()) {
                    JsonNode m = n.hasNonNull("error") ? n.get("error") : n.get("message");
                    return m == null ? "" : m.asText();
                }
            } catch (IOException e) {
                // not JSON: the body is the message
            }
            return body == null ? "" : body.strip();
        }
    }

    Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Answer(-1, "no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }

    /** Expects a 4xx (exactly {@code status} when it is not 0) whose message is not blank. */
    Answer expect4xx(String what, int status, HttpRequest.Builder request) {
        cases++;
        Answer a = send(request);
        boolean statusOk = status == 0 ? a.status() >= 400 && a.status() < 500 : a.status() == status;
        if (!statusOk || a.message().isBlank()) {
            problems.add(what + ": " + a.status() + " " + abbreviate(a.body()));
        }
        return a;
    }

    /** Expects exactly {@code status}, with or without a body. */
    Answer expectStatus(String what, int status, HttpRequest.Builder request) {
        cases++;
        Answer a = send(request);
        if (a.status() != status) {
            problems.add(what + ": " + a.status() + " " + abbreviate(a.body()));
        }
        return a;
    }

    static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).GET();
    }

    static HttpRequest.Builder post(String url, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return contentType == null ? b : b.header("Content-Type", contentType);
    }

    static HttpRequest.Builder postJson(String url, String json) {
        return post(url, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    List<String> problems() {
        return problems;
    }

    int cases() {
        return cases;
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
