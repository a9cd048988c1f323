package dev.fmnist.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.fmnist.common.kafka.KafkaBatchEdge;
import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Protobuf contract (fmnist.v1): round trips to the same records as JSON, the content-type header choosing the
 * format, and every malformed record rejected with a reason in the contract's words.
 */
class ProtobufMessagesTest {
    static final Instant RECEIVED = Instant.parse("2026-11-25T10:15:30.123Z");
    static final byte[] PIXELS = pixels();
    static final float[] PROBS = {0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f};

    static byte[] pixels() {
        byte[] p = new byte[784];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    static dev.fmnist.common.messaging.proto.ScoreRequest.Builder request() {
        return dev.fmnist.common.messaging.proto.ScoreRequest.newBuilder().setId("r-1")
                .setImage(ByteString.copyFrom(PIXELS));
    }

    static dev.fmnist.common.messaging.proto.Prediction.Builder prediction() {
        var b = dev.fmnist.common.messaging.proto.Prediction.newBuilder().setRequestId("r-1").setModelName("lenet")
                .setModelVersion(3).setLabel(9).setImage(ByteString.copyFrom(PIXELS));
        for (float p : PROBS) {
            b.addProbabilities(p);
        }
        return b;
    }

    @Test
    void aScoreRequestRoundTripsWithEveryField() {
        ScoreRequest r = new ScoreRequest("r-1", PIXELS, "cnn", true, Instant.parse("2026-01-02T03:04:05.123456789Z"), 7);
        byte[] bytes = ProtobufMessages.write(r);
        assertThat(ProtobufMessages.readScoreRequest(bytes, RECEIVED)).isEqualTo(r);
        // raw pixels, not base64 text: the whole message is the image plus a few dozen bytes
        assertThat(bytes.length).isBetween(784, 784 + 40);
        assertThat(dev.fmnist.common.messaging.proto.ScoreRequest.newBuilder().setImage(ByteString.copyFrom(PIXELS))
                .build().toByteArray()).hasSize(784 + 3);
    }

    @Test
    void aRequestWithOnlyIdAndImageIsReadWithTheSameDefaultsAsJson() {
        ScoreRequest r = ProtobufMessages.readScoreRequest(request().build().toByteArray(), RECEIVED);
        ScoreRequest json = Json.read(("{\"id\":\"r-1\",\"image\":\"" + Base64.getEncoder().encodeToString(PIXELS)
                + "\"}").getBytes(StandardCharsets.UTF_8), ScoreRequest.class, RECEIVED);
        assertThat(r).isEqualTo(json);
        assertThat(r.model()).isEqualTo(ModelNames.ALL);
        assertThat(r.submittedAt()).isEqualTo(RECEIVED);
        assertThat(r.trueLabel()).isNull();
        // label 0 is a label, not "absent" (true_label is optional in the .proto)
        assertThat(ProtobufMessages.readScoreRequest(request().setTrueLabel(0).build().toByteArray(), RECEIVED)
                .trueLabel()).isZero();
    }

    @Test
    void aPredictionRoundTripsWithEveryField() {
        Prediction p = new Prediction("r-1", new ModelRef("xgboost", 2), 9, "Ankle boot", PROBS,
                Base64.getEncoder().encodeToString(PIXELS), Instant.parse("2026-01-02T03:04:05.5Z"), 12.5, true, 9);
        Prediction back = ProtobufMessages.readPrediction(ProtobufMessages.write(p), RECEIVED);
        assertThat(back).usingRecursiveComparison().isEqualTo(p);
    }

    @Test
    void aHandWrittenPredictionIsReadWithItsDefaults() {
        Prediction p = ProtobufMessages.readPrediction(prediction().build().toByteArray(), RECEIVED);
        assertThat(p.className()).isEqualTo("Ankle boot");
        assertThat(p.scoredAt()).isEqualTo(RECEIVED);
        assertThat(p.latencyMs()).isZero();
        assertThat(p.explain()).isFalse();
        assertThat(p.trueLabel()).isNull();
        assertThat(p.pixels()).isEqualTo(PIXELS);
    }

    @Test
    void theRawReadGivesTheSameRequestWithTheImageAsItsBytes() {
        ScoreRequest r = new ScoreRequest("r-1", PIXELS, "lenet", true, Instant.parse("2026-01-02T03:04:05Z"), 3);
        ProtobufMessages.RawScoreRequest raw = ProtobufMessages.readScoreRequestRaw(ProtobufMessages.write(r), RECEIVED);
        assertThat(raw.image()).isEqualTo(PIXELS);
        assertThat(raw.request().image()).isNull();
        assertThat(new ScoreRequest(raw.request().id(), raw.image(), raw.request().model(), raw.request().explain(),
                raw.request().submittedAt(), raw.request().trueLabel())).isEqualTo(r);
    }

    @Test
    void aPredictionWrittenFromRawPixelsIsTheSameRecordAsFromItsBase64() {
        Prediction p = new Prediction("r-1", new ModelRef("lenet", 2), 9, "Ankle boot", PROBS,
                Base64.getEncoder().encodeToString(PIXELS), Instant.parse("2026-01-02T03:04:05.5Z"), 12.5, true, 9);
        Prediction withoutImage = new Prediction(p.requestId(), p.model(), p.label(), p.className(), p.probabilities(),
                null, p.scoredAt(), p.latencyMs(), p.explain(), p.trueLabel());
        assertThat(ProtobufMessages.writePrediction(withoutImage, PIXELS)).isEqualTo(ProtobufMessages.write(p));
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of(new byte[0], Reason.INVALID_PROTOBUF,
                        "empty record: expected a fmnist.v1.ScoreRequest protobuf message"),
                Arguments.of("{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8), Reason.INVALID_PROTOBUF,
                        "not a valid fmnist.v1.ScoreRequest protobuf message"),
                Arguments.of(new byte[]{0x0a, 0x10, 'a'}, Reason.INVALID_PROTOBUF,
                        "not a valid fmnist.v1.ScoreRequest protobuf message"),
                Arguments.of(request().clearId().build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'id' is missing: expected a non-blank string of at most 200 characters"),
                Arguments.of(request().setId("  ").build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'id': expected a non-blank string of at most 200 characters, got \"  \""),
                Arguments.of(request().setId("x".repeat(201)).build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'id': expected a non-blank string of at most 200 characters, got a string of 201 characters"),
                Arguments.of(request().clearImage().build().toByteArray(), Reason.INVALID_IMAGE,
                        "field 'image' is missing"),
                Arguments.of(request().setImage(ByteString.copyFrom(new byte[100])).build().toByteArray(),
                        Reason.INVALID_IMAGE, "field 'image': expected 784 raw pixels (28x28 uint8) or a PNG/JPEG file,"
                                + " got 100 bytes that are neither"),
                Arguments.of(request().setModel("resnet").build().toByteArray(), Reason.UNKNOWN_MODEL,
                        "field 'model': expected one of"),
                Arguments.of(request().setTrueLabel(10).build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'true_label': expected an integer 0..9, got 10"),
                Arguments.of(request().setSubmittedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build()
                        .toByteArray(), Reason.INVALID_FIELD, "field 'submitted_at': expected a google.protobuf.Timestamp"));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests")
    void aMalformedRequestIsRejectedWithItsReason(byte[] bytes, Reason reason, String message) {
        InvalidMessageException e = catchThrowableOfType(InvalidMessageException.class,
                () -> ProtobufMessages.readScoreRequest(bytes, RECEIVED));
        assertThat(e).as("rejected").isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(message).doesNotContain("com.google", "Exception", "wire type", "Protocol message");
    }

    static Stream<Arguments> malformedPredictions() {
        return Stream.of(
                Arguments.of(new byte[0], Reason.INVALID_PROTOBUF,
                        "empty record: expected a fmnist.v1.Prediction protobuf message"),
                Arguments.of(new byte[]{(byte) 0xff, (byte) 0xff}, Reason.INVALID_PROTOBUF,
                        "not a valid fmnist.v1.Prediction protobuf message"),
                Arguments.of(prediction().clearRequestId().build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'request_id' is missing"),
                Arguments.of(prediction().setModelName("resnet").build().toByteArray(), Reason.UNKNOWN_MODEL,
                        "field 'model_name': expected one of"),
                Arguments.of(prediction().setModelVersion(0).build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'model_version': expected an integer >= 1, got 0"),
                Arguments.of(prediction().setLabel(12).build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'label': expected an integer 0..9, got 12"),
                Arguments.of(prediction().setClassName("Sneaker").build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'class_name': expected \"Ankle boot\" (the class of label 9) or nothing, got \"Sneaker\""),
                Arguments.of(prediction().clearProbabilities().build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'probabilities': expected 10 numbers in [0, 1] that sum to 1, got 0 values"),
                Arguments.of(prediction().setProbabilities(0, 0.5f).build().toByteArray(), Reason.INVALID_FIELD,
                        "got values that sum to 1.4"),
                Arguments.of(prediction().clearImage().build().toByteArray(), Reason.INVALID_IMAGE,
                        "field 'image' is missing"),
                Arguments.of(prediction().setImage(ByteString.copyFrom(new byte[5])).build().toByteArray(),
                        Reason.INVALID_IMAGE, "got 5 bytes"),
                Arguments.of(prediction().setLatencyMs(-1).build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'latency_ms': expected a finite number >= 0, got -1.0"),
                Arguments.of(prediction().setTrueLabel(-1).build().toByteArray(), Reason.INVALID_FIELD,
                        "field 'true_label': expected an integer 0..9, got -1"));
    }

    @ParameterizedTest
    @MethodSource("malformedPredictions")
    void aMalformedPredictionIsRejectedWithItsReason(byte[] bytes, Reason reason, String message) {
        InvalidMessageException e = catchThrowableOfType(InvalidMessageException.class,
                () -> ProtobufMessages.readPrediction(bytes, RECEIVED));
        assertThat(e).as("rejected").isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(message).doesNotContain("com.google", "Exception", "wire type", "Protocol message");
    }

    static ConsumerRecord<String, byte[]> record(byte[] value, String contentType, String... more) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i + 1 < more.length; i += 2) {
            headers.add(new RecordHeader(more[i], more[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        if (contentType != null) {
            headers.add(new RecordHeader("content-type", contentType.getBytes(StandardCharsets.UTF_8)));
        }
        return new ConsumerRecord<>("fmnist.images", 0, 0, RECEIVED.toEpochMilli(), TimestampType.CREATE_TIME, 0,
                value.length, "r-1", value, headers, Optional.empty());
    }

    @Test
    void theContentTypeHeaderChoosesTheFormatAndJsonIsTheDefault() {
        byte[] proto = request().build().toByteArray();
        byte[] json = ("{\"id\":\"r-1\",\"image\":\"" + Base64.getEncoder().encodeToString(PIXELS) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ScoreRequest expected = new ScoreRequest("r-1", PIXELS, null, false, RECEIVED, null);
        assertThat(KafkaBatchEdge.read(record(json, null), ScoreRequest.class)).isEqualTo(expected);
        assertThat(KafkaBatchEdge.read(record(json, "application/json; charset=utf-8"), ScoreRequest.class))
                .isEqualTo(expected);
        for (String type : new String[]{"application/x-protobuf", "application/protobuf",
                "application/x-protobuf; messageType=fmnist.v1.ScoreRequest",
                "Application/Vnd.Google.Protobuf; proto=\"fmnist.v1.ScoreRequest\""}) {
            assertThat(KafkaBatchEdge.read(record(proto, type), ScoreRequest.class)).as(type).isEqualTo(expected);
        }
        // CloudEvents Kafka binding, binary mode: ce_* attributes beside content-type
        assertThat(KafkaBatchEdge.read(record(proto, "application/protobuf", "ce_specversion", "1.0",
                "ce_type", "dev.fmnist.ScoreRequest", "ce_source", "/camera/7", "ce_id", "r-1"), ScoreRequest.class))
                .isEqualTo(expected);
        // protobuf bytes without the header are read as JSON, and said not to be JSON
        assertThatThrownBy(() -> KafkaBatchEdge.read(record(proto, null), ScoreRequest.class))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_JSON));
    }

    @Test
    void aContentTypeAlreadySeenIsJudgedAgainForEachMessageTypeAndARefusalIsNeverKept() {
        String value = "application/x-protobuf; messageType=fmnist.v1.Prediction";
        RecordHeaders headers = new RecordHeaders(new RecordHeader[]{
                new RecordHeader(WireFormat.HEADER, value.getBytes(StandardCharsets.UTF_8))});
        for (int i = 0; i < 3; i++) {
            assertThat(WireFormat.of(headers, ProtobufMessages.PREDICTION)).isEqualTo(WireFormat.PROTOBUF);
            assertThatThrownBy(() -> WireFormat.of(headers, ProtobufMessages.SCORE_REQUEST))
                    .isInstanceOfSatisfying(InvalidMessageException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE));
        }
    }

    @Test
    void anUnknownContentTypeIsRefusedNamingTheValueAndWhatIsAccepted() {
        InvalidMessageException e = catchThrowableOfType(InvalidMessageException.class,
                () -> KafkaBatchEdge.read(record(new byte[]{1}, "application/avro"), ScoreRequest.class));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(e.getMessage()).isEqualTo("header content-type 'application/avro' is not a supported format: "
                + "expected no content-type (JSON), application/json, or application/x-protobuf (also "
                + "application/protobuf, application/vnd.google.protobuf) with an optional "
                + "messageType=fmnist.v1.ScoreRequest");
        InvalidMessageException wrongType = catchThrowableOfType(InvalidMessageException.class,
                () -> KafkaBatchEdge.read(record(prediction().build().toByteArray(),
                        "application/x-protobuf; messageType=fmnist.v1.Prediction"), ScoreRequest.class));
        assertThat(wrongType.reason()).isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(wrongType.getMessage()).isEqualTo("header content-type 'application/x-protobuf; "
                + "messageType=fmnist.v1.Prediction' names message type fmnist.v1.Prediction, but this topic carries "
                + "fmnist.v1.ScoreRequest");
    }

    @Test
    void theHeadersOfAWrittenRecordNameItsFormat() {
        ScoreRequest r = new ScoreRequest("r-1", PIXELS, null, false, RECEIVED, null);
        assertThat(MessageCodec.headers(r, WireFormat.JSON)).isEmpty();
        assertThat(MessageCodec.headers(r, WireFormat.PROTOBUF)).singleElement().satisfies(h -> {
            assertThat(h.key()).isEqualTo("content-type");
            assertThat(new String(h.value(), StandardCharsets.UTF_8))
                    .isEqualTo("application/x-protobuf; messageType=fmnist.v1.ScoreRequest");
        });
        assertThat(MessageCodec.write(r, WireFormat.PROTOBUF)).isEqualTo(ProtobufMessages.write(r));
        assertThat(WireFormat.parse("Protobuf")).isEqualTo(WireFormat.PROTOBUF);
        assertThatThrownBy(() -> WireFormat.parse("avro")).hasMessage(
                "unknown message format 'avro': expected json or protobuf");
    }
}
