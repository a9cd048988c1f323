package dev.fmnist.tools.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ProtobufMessages;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The compression measurement and the load generator's records, in both encodings. */
class CompressionCommandTest {

    @Test
    void protobufRecordsAreSmallerAndCompressionShrinksJson(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("compression.json");
        int rc = new CommandLine(new CompressionCommand()).execute("--images", "300", "--rounds", "1",
                "--json", out.toString());
        assertThat(rc).isZero();
        Map<String, Double> bytes = new HashMap<>();
        for (JsonNode r : Json.mapper().readTree(Files.readAllBytes(out)).path("results")) {
            bytes.put(r.path("topic").asText() + "/" + r.path("format").asText() + "/" + r.path("compression").asText(),
                    r.path("bytesPerRecord").asDouble());
            assertThat(r.path("records").asInt()).isEqualTo(300);
        }
        assertThat(bytes).hasSize(12);
        for (String topic : new String[]{"fmnist.images", "fmnist.predictions"}) {
            // raw pixels against base64 text: at least a fifth smaller
            assertThat(bytes.get(topic + "/protobuf/none")).isLessThan(bytes.get(topic + "/json/none") * 0.8);
            // base64 of bytes that compress, compressed: smaller than uncompressed
            assertThat(bytes.get(topic + "/json/zstd")).isLessThan(bytes.get(topic + "/json/none"));
            assertThat(bytes.get(topic + "/protobuf/zstd")).isLessThan(bytes.get(topic + "/protobuf/none"));
        }
    }

    @Test
    void theLoadGeneratorsProtobufRequestsDecodeToTheSameRequests() {
        LabelledImages images = FashionMnist.load().test().head(3);
        byte[][] json = KafkaLoadRun.requests("lg-", images, 3, "lenet", WireFormat.JSON);
        byte[][] proto = KafkaLoadRun.requests("lg-", images, 3, "lenet", WireFormat.PROTOBUF);
        for (int i = 0; i < 3; i++) {
            ScoreRequest fromJson = Json.read(json[i], ScoreRequest.class);
            // each call stamps its own submittedAt
            assertThat(ProtobufMessages.readScoreRequest(proto[i], null)).usingRecursiveComparison()
                    .ignoringFields("submittedAt").isEqualTo(fromJson);
            assertThat(proto[i].length).isLessThan(json[i].length);
        }
    }
}
