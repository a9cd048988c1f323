package dev.fmnist.tools.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator's OIP HTTP phases against a plain JDK HTTP server that reads each call as the binary tensor
 * data extension defines it (the JSON header is the first {@code Inference-Header-Content-Length} bytes, each
 * input's {@code binary_data_size} bytes follow in input order) and answers 200, or 400 for the calls chosen to fail.
 */
class OipHttpRunTest {
    static final ObjectMapper JSON = new ObjectMapper();

    HttpServer server;
    final List<String> problems = new CopyOnWriteArrayList<>();
    final List<byte[]> tensors = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile int failCall = -1;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v2/models/lenet/infer", exchange -> {
            int call = calls.getAndIncrement();
            byte[] body = exchange.getRequestBody().readAllBytes();
            String headerLength = exchange.getRequestHeaders().getFirst("Inference-Header-Content-Length");
            try {
                if (headerLength == null) {
                    JsonNode request = JSON.readTree(body);
                    if (request.path("inputs").get(0).path("data").size() != Pixels.COUNT) {
                        problems.add("call " + call + ": a JSON call without 784 values");
                    }
                } else {
                    int head = Integer.parseInt(headerLength);
                    JsonNode header = JSON.readTree(Arrays.copyOf(body, head));
                    JsonNode input = header.path("inputs").get(0);
                    long size = input.path("parameters").path("binary_data_size").asLong(-1);
                    long elements = 1;
                    for (JsonNode d : input.path("shape")) {
                        elements *= d.asLong();
                    }
                    if (!"UINT8".equals(input.path("datatype").asText()) || size != elements || head + size != body.length) {
                        problems.add("call " + call + ": header " + header + " against " + body.length + " bytes");
                    }
                    for (JsonNode output : header.path("outputs")) {
                        if (!output.path("parameters").path("binary_data").asBoolean()) {
                            problems.add("call " + call + ": output " + output + " not asked for as binary");
                        }
                    }
                    tensors.add(Arrays.copyOfRange(body, head, body.length));
                }
            } catch (Exception e) {
                problems.add("call " + call + ": " + e);
            }
            byte[] reply = (call == failCall ? "{\"error\": \"call " + call + " refused\"}" : "{}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(call == failCall ? 400 : 200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    static LabelledImages images(int n) {
        byte[] pixels = new byte[n * Pixels.COUNT];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + i / Pixels.COUNT);
        }
        return new LabelledImages(pixels, new byte[n]);
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Test
    void binaryCallsFollowTheExtensionAndCarryTheImagesInOrder() throws Exception {
        LabelledImages images = images(5);
        int[] heads = new int[3];
        byte[][] bodies = OipHttpRun.binaryBodies(images, 4, 3, heads);
        failCall = 1;

        OipHttpRun.BinaryResult r = new OipHttpRun(base(), "lenet").runBinary("binary", bodies, heads, 4);

        assertThat(problems).isEmpty();
        assertThat(r.batches()).isEqualTo(3);
        assertThat(r.failed()).as("the call answered 400").isEqualTo(1);
        assertThat(r.failures()).containsExactly(java.util.Map.entry("HTTP 400: {\"error\": \"call 1 refused\"}", 1));
        assertThat(r.latency().count()).isEqualTo(3);
        assertThat(r.imagesPerSecond()).isEqualTo(12 / r.seconds());
        assertThat(tensors).hasSize(3);
        // call 2 holds images 8..11 of a set of 5: 3, 4, 0, 1
        byte[] expected = new byte[4 * Pixels.COUNT];
        int[] order = {3, 4, 0, 1};
        for (int k = 0; k < 4; k++) {
            System.arraycopy(images.image(order[k]), 0, expected, k * Pixels.COUNT, Pixels.COUNT);
        }
        assertThat(tensors.get(2)).isEqualTo(expected);
    }

    @Test
    void jsonCallsFromSeveralClientsAreCountedWithTheirFailures() throws Exception {
        String[] bodies = OipHttpRun.bodies(images(3), 8);
        failCall = 5;

        OipHttpRun.Result r = new OipHttpRun(base(), "lenet").run("json", bodies, 2);

        assertThat(problems).isEmpty();
        assertThat(calls.get()).isEqualTo(8);
        assertThat(r.requests()).isEqualTo(8);
        assertThat(r.failed()).isEqualTo(1);
        assertThat(r.failures()).containsExactly(java.util.Map.entry("HTTP 400: {\"error\": \"call 5 refused\"}", 1));
        assertThat(r.latency().count()).isEqualTo(8);
    }

    @Test
    void aServiceThatIsNotThereIsNamedByTheProbe() {
        server.stop(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OipHttpRun(base(), "lenet").probe(OipHttpRun.bodies(images(1), 1)[0]))
                .hasMessageContaining("inference-service does not answer").hasMessageContaining("./fmnist status");
    }
}
