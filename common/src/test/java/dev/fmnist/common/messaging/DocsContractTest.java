package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import dev.fmnist.common.image.ImagePreprocessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract as published: docs/schemas holds one JSON Schema (draft 2020-12) per topic value, and
 * every record example in docs/*.md, a fenced block whose info string is {@code json <topic>}, is
 * valid under its topic's schema (networknt's validator, format assertions on) and is read by the
 * services' own parser ({@link Json#read}). Records that break the schema are caught by both.
 */
class DocsContractTest {
    static final Instant RECEIVED = Instant.parse("2026-11-25T10:15:30Z");
    /** topic: the schema file and the message type. */
    static final Map<String, Contract> CONTRACTS = Map.of(
            Topics.IMAGES, new Contract("score-request.schema.json", ScoreRequest.class),
            Topics.PREDICTIONS, new Contract("prediction.schema.json", Prediction.class),
            Topics.MODELS, new Contract("model-published.schema.json", ModelPublished.class),
            Topics.EXPLANATIONS, new Contract("explanation-stored.schema.json", ExplanationStored.class));
    private static final Pattern FENCE = Pattern.compile("(?m)^```json([^\\n]*)\\n(.*?)^```", Pattern.DOTALL);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDialect(Dialects.getDraft202012(),
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    record Contract(String schemaFile, Class<? extends Validated> type) {
        Schema schema() {
            try {
                return REGISTRY.getSchema(Files.readString(docs().resolve("schemas").resolve(schemaFile)), InputFormat.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record Example(Path file, int line, String topic, String json) {
        @Override
        public String toString() {
            return file.getFileName() + ":" + line + " (" + topic + ")";
        }
    }

    static Path docs() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/architecture.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the repository's docs/ folder above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir.resolve("docs");
    }

    /** Every fenced {@code json} block of docs/*.md whose info string names something after "json". */
    static List<Example> examples() throws IOException {
        List<Example> all = new ArrayList<>();
        List<Path> pages;
        try (Stream<Path> files = Files.list(docs())) {
            pages = files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        for (Path page : pages) {
            String text = Files.readString(page);
            Matcher m = FENCE.matcher(text);
            while (m.find()) {
                String tag = m.group(1).trim();
                if (!tag.isEmpty()) {
                    int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                    all.add(new Example(page, line, tag, m.group(2)));
                }
            }
        }
        return all;
    }

    static Stream<Example> docExamples() throws IOException {
        return examples().stream();
    }

    @Test
    void theDocsShowRecordsOfEveryTopicIncludingTheLeastARequestNeeds() throws IOException {
        List<Example> examples = examples();
        assertThat(examples).extracting(Example::topic).allSatisfy(t -> assertThat(CONTRACTS).as("a topic tag").containsKey(t));
        assertThat(examples.stream().map(Example::topic).collect(Collectors.toSet())).containsAll(CONTRACTS.keySet());
        assertThat(examples).filteredOn(e -> e.topic().equals(Topics.IMAGES))
                .anySatisfy(e -> assertThat(fieldNames(MAPPER.readTree(e.json()))).containsExactlyInAnyOrder("id", "image"));
    }

    @Test
    void theSchemasAreValidDraft202012Schemas() throws IOException {
        Schema meta = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertThat(meta.validate(MAPPER.readTree("{\"type\": 5, \"required\": \"id\"}"))).as("the meta-schema checks").isNotEmpty();
        for (Contract c : CONTRACTS.values()) {
            JsonNode schema = MAPPER.readTree(docs().resolve("schemas").resolve(c.schemaFile()).toFile());
            assertThat(meta.validate(schema)).as(c.schemaFile()).isEmpty();
            assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("docExamples")
    void everyExampleInTheDocsIsValidUnderItsSchemaAndReadByTheParser(Example example) throws IOException {
        Contract contract = CONTRACTS.get(example.topic());
        assertThat(contract).as(example + ": a topic with a schema").isNotNull();
        List<Error> errors = contract.schema().validate(MAPPER.readTree(example.json()));
        assertThat(errors).as(example + " under " + contract.schemaFile()).isEmpty();
        Validated read = Json.read(example.json().getBytes(StandardCharsets.UTF_8), contract.type(), RECEIVED);
        if (read instanceof ScoreRequest request) {
            assertThat(request.pixels(new ImagePreprocessor())).as(example + ": the image decodes").hasSize(784);
        }
    }

    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAAGUlEQVR42mNgoC04gQSGiCScGpUc1pIkAwA9ir0Rwn8dQgAAAABJRU5ErkJggg==";
    static final String BLANK = Base64.getEncoder().encodeToString(new byte[784]);
    static final String PREDICTION = "\"requestId\":\"r\",\"model\":{\"name\":\"lenet\",\"version\":3},\"label\":9,"
            + "\"probabilities\":[0,0,0,0,0,0,0,0,0,1],\"image\":\"" + BLANK + "\"";

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of(Topics.IMAGES, "{\"id\":\"a\",\"image\":\"" + PNG + "\",\"explain\":\"yes\"}", "explain"),
                Arguments.of(Topics.IMAGES, "{\"id\":\"a\"}", "image"),
                Arguments.of(Topics.IMAGES, "{\"image\":\"" + PNG + "\"}", "id"),
                Arguments.of(Topics.IMAGES, "{\"id\":\"a\",\"image\":\"" + PNG + "\",\"model\":\"resnet\"}", "model"),
                Arguments.of(Topics.IMAGES, "{\"id\":\"a\",\"image\":\"" + PNG + "\",\"submittedAt\":\"yesterday\"}", "submittedAt"),
                Arguments.of(Topics.IMAGES, "{\"id\":\"a\",\"image\":\"" + PNG + "\",\"trueLabel\":12}", "trueLabel"),
                Arguments.of(Topics.IMAGES, "{\"id\":\"" + "x".repeat(201) + "\",\"image\":\"" + PNG + "\"}", "id"),
                Arguments.of(Topics.IMAGES, "[{\"id\":\"a\",\"image\":\"" + PNG + "\"}]", "a JSON object"),
                Arguments.of(Topics.PREDICTIONS, "{" + PREDICTION.replace("\"label\":9", "\"label\":\"9\"") + "}", "label"),
                Arguments.of(Topics.PREDICTIONS, "{" + PREDICTION.replace("[0,0,0,0,0,0,0,0,0,1]", "[0,0,0,0,0,0,0,0,1]") + "}",
                        "probabilities"),
                Arguments.of(Topics.PREDICTIONS, "{" + PREDICTION.replace("\"version\":3", "\"version\":0") + "}", "model.version"),
                Arguments.of(Topics.PREDICTIONS, "{" + PREDICTION + ",\"explain\":\"no\"}", "explain"),
                Arguments.of(Topics.MODELS, "{\"name\":\"cnn\",\"version\":1,\"format\":\"onnx\",\"sha256\":\"ABC\","
                        + "\"createdAt\":\"2026-11-25T09:00:00Z\"}", "sha256"),
                Arguments.of(Topics.EXPLANATIONS, "{\"requestId\":\"r\",\"model\":{\"name\":\"cnn\",\"version\":1},"
                        + "\"method\":\"gradcam\",\"explanationId\":1}", "method"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("violations")
    void aRecordThatBreaksTheSchemaIsCaughtByTheSchemaAndByTheParser(String topic, String json, String field)
            throws IOException {
        Contract contract = CONTRACTS.get(topic);
        assertThat(contract.schema().validate(MAPPER.readTree(json))).as("schema errors").isNotEmpty();
        InvalidMessageException e = catchThrowableOfType(InvalidMessageException.class,
                () -> Json.read(json.getBytes(StandardCharsets.UTF_8), contract.type(), RECEIVED));
        assertThat(e).as("the parser rejects it").isNotNull();
        assertThat(e.getMessage()).contains(field.contains(" ") ? field : "field '" + field + "'");
    }

    @Test
    void anExampleThatBreaksItsSchemaFailsTheDocsCheck() {
        // the check itself: an example as a page could hold it, with "explain": "yes"
        String page = "text\n\n```json fmnist.images\n{\"id\": \"x\", \"image\": \"" + PNG + "\", \"explain\": \"yes\"}\n```\n";
        Matcher m = FENCE.matcher(page);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1).trim()).isEqualTo(Topics.IMAGES);
        List<Error> errors = CONTRACTS.get(Topics.IMAGES).schema().validate(m.group(2), InputFormat.JSON);
        assertThat(errors).singleElement().satisfies(err -> assertThat(err.getInstanceLocation().toString()).contains("explain"));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
