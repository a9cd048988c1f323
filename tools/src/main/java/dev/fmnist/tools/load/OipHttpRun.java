package dev.fmnist.tools.load;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * Open Inference Protocol v2 over HTTP: single-image {@code infer} calls (UINT8 {@code [1,784]})
 * from {@code concurrency} clients in closed loops, each timing its own calls.
 */
public final class OipHttpRun {

    /** What one HTTP phase measured; {@code failures}: why calls failed, by reason. */
    public record Result(String phase, int concurrency, int requests, int failed, double seconds,
                         double requestsPerSecond, LatencyStats latency, Map<String, Integer> failures)
            implements WarmUp.Timed {
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI inferUri;

    public OipHttpRun(String baseUrl, String model) {
        this.inferUri = URI.create(baseUrl.replaceAll("/+$", "") + "/v2/models/" + model + "/infer");
    }

    /** The request bodies: one test image each. */
    public static String[] bodies(LabelledImages images, int count) {
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            byte[] px = images.image(i % images.size());
            StringBuilder sb = new StringBuilder(4000);
            sb.append("{\"id\":\"oip-").append(i)
                    .append("\",\"inputs\":[{\"name\":\"image\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":[");
            for (int p = 0; p < px.length; p++) {
                if (p > 0) {
                    sb.append(',');
                }
                sb.append(px[p] & 0xff);
            }
            out[i] = sb.append("]}]}").toString();
        }
        return out;
    }

    /** What a binary-tensor phase measured: {@code batches} calls of {@code batch} images each, one client. */
    public record BinaryResult(String phase, int batch, int batches, int failed, double seconds, double imagesPerSecond,
                               LatencyStats latency, Map<String, Integer> failures)
            implements WarmUp.Timed {
    }

    /**
     * Request bodies of the binary tensor data extension as Triton's and KServe's clients send them: a JSON
     * header naming a UINT8 {@code [batch, 784]} input with its {@code binary_data_size} and binary outputs,
     * then the raw pixels; {@code headLengths[i]} goes in {@code Inference-Header-Content-Length}.
     */
    public static byte[][] binaryBodies(LabelledImages images, int batch, int count, int[] headLengths) {
        byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            int size = batch * Pixels.COUNT;
            byte[] head = ("{\"id\":\"oip-bin-" + i + "\",\"inputs\":[{\"name\":\"image\",\"shape\":[" + batch
                    + "," + Pixels.COUNT + "],\"datatype\":\"UINT8\",\"parameters\":{\"binary_data_size\":" + size + "}}],"
                    + "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}},"
                    + "{\"name\":\"label\",\"parameters\":{\"binary_data\":true}}]}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] body = java.util.Arrays.copyOf(head, head.length + size);
            for (int k = 0; k < batch; k++) {
                System.arraycopy(images.image((i * batch + k) % images.size()), 0, body,
                        head.length + k * Pixels.COUNT, Pixels.COUNT);
            }
            out[i] = body;
            headLengths[i] = head.length;
        }
        return out;
    }

    /**
     * One client posting {@code bodies} (from {@link #binaryBodies}) in turn; a call counts as failed unless 200.
     * It uses Apache HttpClient's blocking client (one kept-alive connection, calls on this thread, TCP_NODELAY as
     * libcurl under Triton's {@code perf_analyzer} and Python's {@code http.client} set it), neither of the JDK's:
     * measured on the local stack against the same service in the same minute, a call of 256 images to xgboost took
     * 2.0 ms from Python's {@code http.client}, 2.0-2.5 ms from a bare socket with TCP_NODELAY (2.5-3.1 ms without)
     * and 3.8 ms from {@link java.net.HttpURLConnection}, which cannot set TCP_NODELAY; {@link HttpClient}'s
     * asynchronous machinery took about 3 ms of a 10 ms call before (benchmarks/NOTES.md). Both measured the client.
     */
    public BinaryResult runBinary(String phase, byte[][] bodies, int[] headLengths, int batch) throws IOException {
        long[] latencies = new long[bodies.length];
        CallFailures failures = new CallFailures();
        try (CloseableHttpClient http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true)
                                .setSoTimeout(Timeout.ofSeconds(30)).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(5))
                                .setSocketTimeout(Timeout.ofSeconds(30)).build())
                        .build())
                .disableAutomaticRetries()
                .build()) {
            long start = System.nanoTime();
            for (int i = 0; i < bodies.length; i++) {
                long t0 = System.nanoTime();
                HttpPost post = new HttpPost(inferUri);
                post.setHeader("Inference-Header-Content-Length", Integer.toString(headLengths[i]));
                post.setEntity(new ByteArrayEntity(bodies[i], ContentType.APPLICATION_OCTET_STREAM));
                try {
                    http.execute(post, response -> {
                        // read to the end so that the connection is kept alive for the next call
                        byte[] answer = response.getEntity() == null ? new byte[0]
                                : EntityUtils.toByteArray(response.getEntity());
                        if (response.getCode() != 200) {
                            failures.add("HTTP " + response.getCode() + ": "
                                    + new String(answer, java.nio.charset.StandardCharsets.UTF_8));
                        }
                        return null;
                    });
                } catch (IOException e) {
                    failures.add(e);
                }
                latencies[i] = System.nanoTime() - t0;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new BinaryResult(phase, batch, bodies.length, failures.total(), seconds,
                    (double) bodies.length * batch / seconds, LatencyStats.ofNanos(latencies, latencies.length),
                    failures.counts());
        }
    }

    public Result run(String phase, String[] bodies, int concurrency) throws Exception {
        int perClient = bodies.length / concurrency;
        long[] latencies = new long[perClient * concurrency];
        CallFailures failures = new CallFailures();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        int slot = client * perClient + i;
                        HttpRequest request = HttpRequest.newBuilder(inferUri).timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(bodies[slot])).build();
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() != 200) {
                                failures.add("HTTP " + response.statusCode() + ": " + response.body());
                            }
                        } catch (IOException e) {
                            failures.add(e);
                        }
                        latencies[slot] = System.nanoTime() - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(phase, concurrency, latencies.length, failures.total(), seconds, latencies.length / seconds,
                LatencyStats.ofNanos(latencies, latencies.length), failures.counts());
    }

    /** Fails with a clear message when the service does not answer one request. */
    public void probe(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(inferUri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("inference-service does not answer at " + inferUri + ": " + e.getMessage()
                    + " (is the stack up? './fmnist status')", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(inferUri + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
