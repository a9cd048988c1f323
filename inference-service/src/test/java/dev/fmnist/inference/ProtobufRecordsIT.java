package dev.fmnist.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ProtobufMessages;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.KafkaTestClient;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Protobuf contract on the real broker (docs/protobuf.md): a record with {@code content-type:
 * application/x-protobuf} is scored and answered in Protobuf, a record without one stays JSON, a malformed or
 * mislabelled one is dead-lettered with a reason in the contract's words. And from outside: a ScoreRequest encoded by
 * Debian's {@code protoc --encode} from a text-format message written here by hand is scored, and the prediction the
 * service wrote decodes with {@code protoc --decode} (skipped, saying so, where no protoc is installed; scripts/setup.sh
 * installs it).
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresDatabaseTestResource.class, scope = TestResourceScope.GLOBAL)
class ProtobufRecordsIT {
    static final String PROTOBUF = "application/x-protobuf; messageType=fmnist.v1.ScoreRequest";
    /** The schema, as the repository holds it (the module's tests run in inference-service/). */
    static final Path PROTO_ROOT = Path.of("..", "common", "src", "main", "protobuf");

    @BeforeEach
    void ready() {
        InferenceTestSupport.standardModelsReady();
    }

    private static KafkaProducer<String, byte[]> plainProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<String, byte[]> record(String key, byte[] value, String... headers) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.IMAGES, key, value);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            r.headers().add(new RecordHeader(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        return r;
    }

    @Test
    void protobufRequestsGetProtobufPredictionsAndJsonOnesStayJson() throws Exception {
        String p = "proto-" + UUID.randomUUID() + "-";
        byte[] image = InferenceTestSupport.testImages().image(5);
        int label = InferenceTestSupport.testImages().label(5);
        byte[] proto = ProtobufMessages.write(new ScoreRequest(p + "pb", image, "lenet", true, Instant.now(), label));
        byte[] cloudEvent = ProtobufMessages.write(new ScoreRequest(p + "ce", image, "cnn", false, null, null));
        byte[] json = InferenceTestSupport.request(p + "json", 5, "xgboost");
        try (KafkaProducer<String, byte[]> producer = plainProducer()) {
            producer.send(record(p + "pb", proto, "content-type", PROTOBUF)).get();
            // CloudEvents Kafka binding, binary mode
            producer.send(record(p + "ce", cloudEvent, "ce_specversion", "1.0", "ce_id", p + "ce", "ce_source",
                    "/it", "ce_type", "dev.fmnist.ScoreRequest", "content-type", "application/protobuf")).get();
            producer.send(record(p + "json", json)).get();
            // dead letters: protobuf header, JSON bytes; a format nobody reads here; protobuf of the wrong message
            producer.send(record(p + "bad", json, "content-type", PROTOBUF)).get();
            producer.send(record(p + "avro", proto, "content-type", "application/avro")).get();
            producer.send(record(p + "wrong", proto, "content-type",
                    "application/x-protobuf; messageType=fmnist.v1.Prediction")).get();
        }

        List<ConsumerRecord<String, byte[]>> predictions = KafkaTestClient.readByKey(Topics.PREDICTIONS,
                k -> k.startsWith(p), 3, Duration.ofSeconds(60));
        assertThat(predictions).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder(p + "pb", p + "ce", p + "json");
        for (ConsumerRecord<String, byte[]> r : predictions) {
            String contentType = KafkaTestClient.header(r, "content-type");
            if (r.key().equals(p + "json")) {
                assertThat(contentType).as("a JSON request's prediction").isNull();
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).startsWith("{");
                continue;
            }
            assertThat(contentType).isEqualTo("application/x-protobuf; messageType=fmnist.v1.Prediction");
            Prediction prediction = ProtobufMessages.readPrediction(r.value(), null);
            assertThat(prediction.requestId()).isEqualTo(r.key());
            // raw image bytes: the whole record is smaller than JSON's base64 of the image alone (1,048 characters)
            assertThat(r.value().length).isLessThan(1048);
            assertThat(prediction.pixels()).isEqualTo(image);
            if (r.key().equals(p + "pb")) {
                assertThat(prediction.model().name()).isEqualTo("lenet");
                assertThat(prediction.explain()).isTrue();
                assertThat(prediction.trueLabel()).isEqualTo(label);
            } else {
                assertThat(prediction.model().name()).isEqualTo("cnn");
                assertThat(prediction.trueLabel()).isNull();
            }
        }

        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClient.readByKey(Topics.IMAGES_DLQ,
                k -> k.startsWith(p), 3, Duration.ofSeconds(60));
        assertThat(dead).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(p + "bad", p + "avro", p + "wrong");
        for (ConsumerRecord<String, byte[]> d : dead) {
            String reason = KafkaTestClient.header(d, "dead-letter-reason");
            String errorClass = KafkaTestClient.header(d, "error-class");
            // the original record, headers included, as it came
            assertThat(KafkaTestClient.header(d, "content-type")).isNotNull();
            if (d.key().equals(p + "bad")) {
                assertThat(errorClass).isEqualTo("invalid-protobuf");
                assertThat(reason).startsWith("not a valid fmnist.v1.ScoreRequest protobuf message");
                assertThat(d.value()).isEqualTo(json);
            } else if (d.key().equals(p + "avro")) {
                assertThat(errorClass).isEqualTo("unsupported-content-type");
                assertThat(reason).startsWith("header content-type 'application/avro' is not a supported format: "
                        + "expected no content-type (JSON), application/json, or application/x-protobuf");
            } else {
                assertThat(errorClass).isEqualTo("unsupported-content-type");
                assertThat(reason).isEqualTo("header content-type 'application/x-protobuf; messageType=fmnist.v1"
                        + ".Prediction' names message type fmnist.v1.Prediction, but this topic carries "
                        + "fmnist.v1.ScoreRequest");
            }
        }
    }

    @Test
    void aRecordEncodedByProtocFromTextIsScoredAndItsPredictionDecodesWithProtoc() throws Exception {
        Assumptions.assumeTrue(protocInstalled(), "no protoc on the PATH: the outside check of the Protobuf contract "
                + "is skipped (sudo apt-get install protobuf-compiler; scripts/setup.sh installs it)");
        String id = "protoc-" + UUID.randomUUID();
        byte[] image = InferenceTestSupport.testImages().image(7);
        // a text-format fmnist.v1.ScoreRequest, written by hand: the pixels as octal escapes
        StringBuilder pixels = new StringBuilder();
        for (byte b : image) {
            pixels.append(String.format("\\%03o", b & 0xff));
        }
        String text = "id: \"" + id + "\"\n"
                + "image: \"" + pixels + "\"\n"
                + "model: \"forest\"\n"
                + "true_label: " + InferenceTestSupport.testImages().label(7) + "\n"
                + "submitted_at { seconds: " + Instant.now().getEpochSecond() + " }\n";
        byte[] encoded = protoc("--encode=fmnist.v1.ScoreRequest", text.getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> producer = plainProducer()) {
            producer.send(record(id, encoded, "content-type", "application/x-protobuf")).get();
        }

        List<ConsumerRecord<String, byte[]>> predictions = KafkaTestClient.readByKey(Topics.PREDICTIONS,
                id::equals, 1, Duration.ofSeconds(60));
        assertThat(predictions).hasSize(1);
        String decoded = new String(protoc("--decode=fmnist.v1.Prediction", predictions.get(0).value()),
                StandardCharsets.UTF_8);
        assertThat(decoded)
                .contains("request_id: \"" + id + "\"")
                .contains("model_name: \"forest\"")
                .containsPattern("model_version: [1-9]")
                .containsPattern("\\blabel: \\d")
                .contains("true_label: " + InferenceTestSupport.testImages().label(7))
                .contains("image: \"" + protocText(image) + "\"")
                .containsPattern("scored_at \\{\\s+seconds: \\d+");
        assertThat(decoded.lines().filter(l -> l.startsWith("probabilities: "))).hasSize(10);
    }

    /** How protoc's text format writes bytes: printable ASCII as is (quote and backslash escaped), the rest octal. */
    private static String protocText(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '"' -> s.append("\\\"");
                case '\'' -> s.append("\\'");
                case '\\' -> s.append("\\\\");
                default -> s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\%03o", c));
            }
        }
        return s.toString();
    }

    private static boolean protocInstalled() {
        try {
            Process p = new ProcessBuilder("protoc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs protoc on the repository's schema, {@code input} on its stdin; its stdout. */
    private static byte[] protoc(String mode, byte[] input) throws Exception {
        assertThat(PROTO_ROOT.resolve("fmnist/v1/messages.proto")).exists();
        Path err = Files.createTempFile("protoc", ".err");
        try {
            Process p = new ProcessBuilder("protoc", mode, "-I", PROTO_ROOT.toString(), "fmnist/v1/messages.proto")
                    .redirectError(err.toFile()).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Throwable> failures = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    p.getInputStream().transferTo(out);
                } catch (IOException e) {
                    failures.add(e);
                }
            });
            reader.start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(input);
            }
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("protoc finished").isTrue();
            reader.join(5000);
            assertThat(p.exitValue()).as("protoc %s: %s", mode, Files.readString(err)).isZero();
            assertThat(failures).isEmpty();
            return out.toByteArray();
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
