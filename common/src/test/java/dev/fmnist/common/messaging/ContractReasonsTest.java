package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.fmnist.common.kafka.KafkaBatchEdge;
import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The contract as people write it: records with only the required fields are read with the defaults,
 * and every malformed record is rejected with a reason that names the field, what was expected and
 * what came, in the contract's words (never a parser's).
 */
class ContractReasonsTest {
    static final Instant RECEIVED = Instant.parse("2026-11-25T10:15:30.123Z");
    static final String PIXELS = Base64.getEncoder().encodeToString(new byte[784]);
    static final String IMG = "\"image\":\"" + PIXELS + "\"";
    static final String ID_EXPECTED = "a non-blank string of at most 200 characters";
    static final String IMAGE_EXPECTED = "base64 of 784 raw pixels (28x28 uint8) or of a PNG/JPEG file";
    static final String INSTANT = "an ISO-8601 date-time with a zone offset, such as \"2026-11-25T10:15:30Z\"";
    static final String PROBS = "[0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1]";
    static final String PREDICTION = "\"requestId\":\"r\",\"model\":{\"name\":\"lenet\",\"version\":3},\"label\":9,"
            + "\"probabilities\":" + PROBS + ",\"image\":\"" + PIXELS + "\"";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRequestWithOnlyIdAndImageIsReadWithTheDefaults() {
        ScoreRequest r = Json.read(utf8("{\"id\":\"only-two\"," + IMG + "}"), ScoreRequest.class, RECEIVED);
        assertThat(r.id()).isEqualTo("only-two");
        assertThat(r.model()).isEqualTo(ModelNames.ALL);
        assertThat(r.models()).containsExactly("cnn", "lenet", "xgboost", "forest");
        assertThat(r.explain()).isFalse();
        assertThat(r.submittedAt()).isEqualTo(RECEIVED);
        assertThat(r.trueLabel()).isNull();
        // read outside Kafka (no record timestamp): submittedAt stays absent
        assertThat(Json.read(utf8("{\"id\":\"x\"," + IMG + "}"), ScoreRequest.class).submittedAt()).isNull();
    }

    @Test
    void theConsoleProducersRecordOfTheIssueIsRead() {
        ScoreRequest r = Json.read(utf8("{\"id\": \"console-1\", " + IMG + ", \"model\": \"lenet\"}"),
                ScoreRequest.class, RECEIVED);
        assertThat(r.models()).containsExactly("lenet");
        assertThat(r.explain()).isFalse();
    }

    @Test
    void nullOptionalFieldsAreTheirDefaultsAndGivenOnesWin() {
        ScoreRequest nulls = Json.read(utf8("{\"id\":\"n\"," + IMG + ",\"model\":null,\"explain\":null,"
                + "\"submittedAt\":null,\"trueLabel\":null}"), ScoreRequest.class, RECEIVED);
        assertThat(nulls).isEqualTo(new ScoreRequest("n", PIXELS, "all", false, RECEIVED, null));
        ScoreRequest given = Json.read(utf8("{\"id\":\"g\"," + IMG + ",\"model\":\"cnn\",\"explain\":true,"
                + "\"submittedAt\":\"2026-01-02T03:04:05+01:00\",\"trueLabel\":3.0}"), ScoreRequest.class, RECEIVED);
        assertThat(given).isEqualTo(new ScoreRequest("g", PIXELS, "cnn", true, Instant.parse("2026-01-02T02:04:05Z"), 3));
    }

    @Test
    void aHandWrittenPredictionIsReadWithItsDefaults() {
        Prediction p = Json.read(utf8("{" + PREDICTION + "}"), Prediction.class, RECEIVED);
        assertThat(p.className()).isEqualTo("Ankle boot");
        assertThat(p.scoredAt()).isEqualTo(RECEIVED);
        assertThat(p.latencyMs()).isZero();
        assertThat(p.explain()).isFalse();
        assertThat(p.trueLabel()).isNull();
    }

    @Test
    void kafkaRecordsLendTheirTimestamp() {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("fmnist.images", 0, 7L, RECEIVED.toEpochMilli(),
                TimestampType.CREATE_TIME, 0, 0, "k", utf8("{\"id\":\"k\"," + IMG + "}"), new RecordHeaders(), Optional.empty());
        assertThat(KafkaBatchEdge.read(record, ScoreRequest.class).submittedAt()).isEqualTo(RECEIVED);
    }

    /** One malformed record: its JSON, the type read, and the exact reason class and message. */
    static Arguments bad(String name, Class<? extends Validated> type, String json, Reason reason, String message) {
        return Arguments.of(name, type, json, reason, message);
    }

    static Stream<Arguments> malformed() {
        Class<ScoreRequest> req = ScoreRequest.class;
        Class<Prediction> pred = Prediction.class;
        return Stream.of(
                bad("explain as a word", req, "{\"id\":\"a\"," + IMG + ",\"explain\":\"yes\"}", Reason.INVALID_FIELD,
                        "field 'explain': expected true or false, got \"yes\""),
                bad("explain as a number", req, "{\"id\":\"a\"," + IMG + ",\"explain\":1}", Reason.INVALID_FIELD,
                        "field 'explain': expected true or false, got 1"),
                bad("no id", req, "{" + IMG + "}", Reason.INVALID_FIELD,
                        "field 'id' is missing: expected " + ID_EXPECTED),
                bad("numeric id", req, "{\"id\":42," + IMG + "}", Reason.INVALID_FIELD,
                        "field 'id': expected " + ID_EXPECTED + ", got 42"),
                bad("blank id", req, "{\"id\":\"  \"," + IMG + "}", Reason.INVALID_FIELD,
                        "field 'id': expected " + ID_EXPECTED + ", got \"  \""),
                bad("long id", req, "{\"id\":\"" + "x".repeat(201) + "\"," + IMG + "}", Reason.INVALID_FIELD,
                        "field 'id': expected " + ID_EXPECTED + ", got a string of 201 characters"),
                bad("no image", req, "{\"id\":\"a\",\"model\":\"lenet\"}", Reason.INVALID_IMAGE,
                        "field 'image' is missing: expected " + IMAGE_EXPECTED),
                bad("image as an array", req, "{\"id\":\"a\",\"image\":[0,0,0]}", Reason.INVALID_IMAGE,
                        "field 'image': expected " + IMAGE_EXPECTED + ", got [0,0,0]"),
                bad("empty image", req, "{\"id\":\"a\",\"image\":\"\"}", Reason.INVALID_IMAGE,
                        "field 'image': expected " + IMAGE_EXPECTED + ", got \"\""),
                bad("unknown model", req, "{\"id\":\"a\"," + IMG + ",\"model\":\"resnet\"}", Reason.UNKNOWN_MODEL,
                        "field 'model': expected one of \"cnn\", \"lenet\", \"xgboost\" or \"all\", got \"resnet\""),
                bad("model as a number", req, "{\"id\":\"a\"," + IMG + ",\"model\":3}", Reason.UNKNOWN_MODEL,
                        "field 'model': expected one of \"cnn\", \"lenet\", \"xgboost\" or \"all\", got 3"),
                bad("submittedAt in words", req, "{\"id\":\"a\"," + IMG + ",\"submittedAt\":\"yesterday\"}",
                        Reason.INVALID_FIELD, "field 'submittedAt': expected " + INSTANT + ", got \"yesterday\""),
                bad("submittedAt without a zone", req, "{\"id\":\"a\"," + IMG + ",\"submittedAt\":\"2026-11-25T10:15:30\"}",
                        Reason.INVALID_FIELD, "field 'submittedAt': expected " + INSTANT + ", got \"2026-11-25T10:15:30\""),
                bad("submittedAt as epoch seconds", req, "{\"id\":\"a\"," + IMG + ",\"submittedAt\":1764065730}",
                        Reason.INVALID_FIELD, "field 'submittedAt': expected " + INSTANT + ", got 1764065730"),
                bad("label out of range", req, "{\"id\":\"a\"," + IMG + ",\"trueLabel\":12}", Reason.INVALID_FIELD,
                        "field 'trueLabel': expected an integer 0..9, got 12"),
                bad("fractional label", req, "{\"id\":\"a\"," + IMG + ",\"trueLabel\":2.5}", Reason.INVALID_FIELD,
                        "field 'trueLabel': expected an integer 0..9, got 2.5"),
                bad("label as a string", req, "{\"id\":\"a\"," + IMG + ",\"trueLabel\":\"3\"}", Reason.INVALID_FIELD,
                        "field 'trueLabel': expected an integer 0..9, got \"3\""),
                bad("empty record", req, "", Reason.INVALID_JSON,
                        "empty record: expected a JSON object (a ScoreRequest)"),
                bad("null record", req, "null", Reason.INVALID_JSON,
                        "null record: expected a JSON object (a ScoreRequest)"),
                bad("an array", req, "[1, 2, 3]", Reason.INVALID_JSON,
                        "expected a JSON object (a ScoreRequest), got an array [1,2,3]"),
                bad("a bare string", req, "\"hello\"", Reason.INVALID_JSON,
                        "expected a JSON object (a ScoreRequest), got a string \"hello\""),
                bad("not JSON", req, "{not json", Reason.INVALID_JSON,
                        "not valid JSON at line 1, column 2 (Unexpected character ('n'): was expecting double-quote"
                                + " to start field name): expected a JSON object (a ScoreRequest)"),
                bad("truncated", req, "{\"id\":\"a\",\"image\":\"AAAA", Reason.INVALID_JSON,
                        "not valid JSON at line 1, column 24 (Unexpected end-of-input in VALUE_STRING):"
                                + " expected a JSON object (a ScoreRequest)"),
                bad("trailing text", req, "{\"id\":\"a\"," + IMG + "} and more", Reason.INVALID_JSON,
                        "not valid JSON at line 1, column " + (IMG.length() + 13) + " (Unrecognized token 'and':"
                                + " was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')):"
                                + " expected a JSON object (a ScoreRequest)"),
                bad("prediction without a model", pred, "{\"requestId\":\"r\",\"label\":9,\"probabilities\":" + PROBS
                                + ",\"image\":\"" + PIXELS + "\"}", Reason.INVALID_FIELD,
                        "field 'model' is missing: expected an object {\"name\": \"cnn\" | \"lenet\" | \"xgboost\" | \"forest\","
                                + " \"version\": integer >= 1}"),
                bad("model as a name only", pred, "{" + PREDICTION.replace("{\"name\":\"lenet\",\"version\":3}", "\"lenet\"")
                                + "}", Reason.INVALID_FIELD,
                        "field 'model': expected an object {\"name\": \"cnn\" | \"lenet\" | \"xgboost\" | \"forest\","
                                + " \"version\": integer >= 1}, got \"lenet\""),
                bad("version as a string", pred, "{" + PREDICTION.replace("\"version\":3", "\"version\":\"3\"") + "}",
                        Reason.INVALID_FIELD, "field 'model.version': expected an integer >= 1, got \"3\""),
                bad("unknown model name", pred, "{" + PREDICTION.replace("lenet", "resnet") + "}", Reason.UNKNOWN_MODEL,
                        "field 'model.name': expected one of \"cnn\", \"lenet\", \"xgboost\" or \"forest\", got \"resnet\""),
                bad("label as a string", pred, "{" + PREDICTION.replace("\"label\":9", "\"label\":\"9\"") + "}",
                        Reason.INVALID_FIELD, "field 'label': expected an integer 0..9, got \"9\""),
                bad("a word among the probabilities", pred, "{" + PREDICTION.replace(PROBS,
                                "[0.1,0.1,0.1,\"x\",0.1,0.1,0.1,0.1,0.1,0.1]") + "}", Reason.INVALID_FIELD,
                        "field 'probabilities': expected 10 numbers in [0, 1] that sum to 1, got a non-number \"x\" at index 3"),
                bad("nine probabilities", pred, "{" + PREDICTION.replace(PROBS, "[0.2,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1]")
                                + "}", Reason.INVALID_FIELD,
                        "field 'probabilities': expected 10 numbers in [0, 1] that sum to 1, got 9 values"),
                bad("explain as a word", pred, "{" + PREDICTION + ",\"explain\":\"no\"}", Reason.INVALID_FIELD,
                        "field 'explain': expected true or false, got \"no\""),
                bad("negative latency", pred, "{" + PREDICTION + ",\"latencyMs\":-1}", Reason.INVALID_FIELD,
                        "field 'latencyMs': expected a finite number >= 0, got -1.0"),
                bad("scoredAt in words", pred, "{" + PREDICTION + ",\"scoredAt\":\"now\"}", Reason.INVALID_FIELD,
                        "field 'scoredAt': expected " + INSTANT + ", got \"now\""),
                bad("wrong class name", pred, "{" + PREDICTION + ",\"className\":\"Bag\"}", Reason.INVALID_FIELD,
                        "field 'className': expected \"Ankle boot\" (the class of label 9) or nothing, got \"Bag\""),
                bad("short image", pred, "{" + PREDICTION.replace(PIXELS, "AAAA") + "}", Reason.INVALID_IMAGE,
                        "field 'image': expected base64 of 784 pixels (28x28 uint8), got 3 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedRecordsAreRejectedWithTheirExactReason(String name, Class<? extends Validated> type, String json,
                                                         Reason reason, String message) {
        InvalidMessageException e = catchThrowableOfType(InvalidMessageException.class,
                () -> Json.read(utf8(json), type, RECEIVED));
        assertThat(e).as(name).isNotNull();
        assertThat(e.getMessage()).as(name).isEqualTo(message);
        assertThat(e.reason()).as(name).isEqualTo(reason);
        assertNoParserInternals(e.getMessage());
    }

    @Test
    void bytesThatAreNotJsonOrTooLargeNumbersAreReportedWithoutParserInternals() {
        byte[] invalidUtf8 = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        String hugeNumber = "{\"id\":\"a\"," + IMG + ",\"trueLabel\":" + "9".repeat(2000) + "}";
        String deep = "[".repeat(2000) + "]".repeat(2000);
        for (byte[] value : new byte[][] {invalidUtf8, utf8(hugeNumber), utf8(deep)}) {
            InvalidMessageException e = catchThrowableOfType(InvalidMessageException.class,
                    () -> Json.read(value, ScoreRequest.class, RECEIVED));
            assertThat(e).isNotNull();
            assertThat(e.reason()).isIn(Reason.INVALID_JSON, Reason.INVALID_FIELD);
            assertNoParserInternals(e.getMessage());
        }
    }

    @Test
    void unknownTypesAreAProgrammingError() {
        assertThatThrownBy(() -> Json.read(utf8("{}"), Validated.class)).isInstanceOf(IllegalArgumentException.class)
                .isNotInstanceOf(InvalidMessageException.class);
    }

    static void assertNoParserInternals(String message) {
        assertThat(message).doesNotContain("com.fasterxml", "Jackson", "jackson", "DeserializationFeature",
                "DeserializationConfig", "[Source", "StreamReadConstraints", "`", "\n");
    }
}
