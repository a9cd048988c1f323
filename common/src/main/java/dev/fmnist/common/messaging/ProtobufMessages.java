package dev.fmnist.common.messaging;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnsafeByteOperations;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ScoreRequest} and {@link Prediction} in their Protobuf form, {@code fmnist.v1}
 * (common/src/main/protobuf/fmnist/v1/messages.proto, docs/protobuf.md): the same records as JSON gives, checked by
 * the same rules ({@link Validated#validate()}). A problem is an {@link InvalidMessageException} whose message names
 * the field as the .proto spells it ({@code true_label}) and never a parser's internals. Images travel as raw bytes.
 */
public final class ProtobufMessages {
    /** The Protobuf message type of {@link ScoreRequest} ({@code fmnist.v1.ScoreRequest}). */
    public static final String SCORE_REQUEST =
            dev.fmnist.common.messaging.proto.ScoreRequest.getDescriptor().getFullName();
    /** The Protobuf message type of {@link Prediction} ({@code fmnist.v1.Prediction}). */
    public static final String PREDICTION =
            dev.fmnist.common.messaging.proto.Prediction.getDescriptor().getFullName();
    static final String RAW_IMAGE = "784 raw pixels (28x28 uint8) or a PNG/JPEG file";
    static final String TIMESTAMP = "a google.protobuf.Timestamp within years -1000000000..1000000000";

    private ProtobufMessages() {
    }

    /** The Protobuf message type of {@code type}, null when it has none. */
    public static String messageType(Class<?> type) {
        if (type == ScoreRequest.class) {
            return SCORE_REQUEST;
        }
        if (type == Prediction.class) {
            return PREDICTION;
        }
        return null;
    }

    /** Parses and validates a message of {@code type} ({@link ScoreRequest} or {@link Prediction}). */
    public static <T extends Validated> T read(byte[] bytes, Class<T> type, Instant received) {
        if (type == ScoreRequest.class) {
            return type.cast(readScoreRequest(bytes, received));
        }
        if (type == Prediction.class) {
            return type.cast(readPrediction(bytes, received));
        }
        throw new IllegalArgumentException("no Protobuf form for " + type.getName());
    }

    /** The Protobuf bytes of a {@link ScoreRequest} or a {@link Prediction}. */
    public static byte[] write(Validated message) {
        if (message instanceof ScoreRequest r) {
            return toProto(r).toByteArray();
        }
        if (message instanceof Prediction p) {
            return toProto(p).toByteArray();
        }
        throw new IllegalArgumentException("no Protobuf form for " + message.getClass().getName());
    }

    /**
     * A {@link ScoreRequest} read from Protobuf with its image as the bytes it came as: {@link #request()} has no
     * {@link ScoreRequest#image() image} (null), {@link #image()} is it. Inference scores these bytes as they are: a
     * base64 string made only to be decoded again cost it about a tenth of its CPU (results/benchmarks.md, notes).
     */
    public record RawScoreRequest(ScoreRequest request, byte[] image) {
    }

    public static ScoreRequest readScoreRequest(byte[] bytes, Instant received) {
        RawScoreRequest raw = readScoreRequestRaw(bytes, received);
        ScoreRequest r = raw.request();
        return new ScoreRequest(r.id(), Base64.getEncoder().encodeToString(raw.image()), r.model(), r.explain(),
                r.submittedAt(), r.trueLabel());
    }

    /**
     * Parses and validates a {@code fmnist.v1.ScoreRequest} as {@link #readScoreRequest} does (the same checks in the
     * same order, so the same dead-letter reasons), the image left as raw bytes.
     */
    public static RawScoreRequest readScoreRequestRaw(byte[] bytes, Instant received) {
        dev.fmnist.common.messaging.proto.ScoreRequest m;
        try {
            m = dev.fmnist.common.messaging.proto.ScoreRequest.parseFrom(nonEmpty(bytes, SCORE_REQUEST));
        } catch (InvalidProtocolBufferException e) {
            throw notParsed(SCORE_REQUEST);
        }
        byte[] image = m.getImage().toByteArray();
        if (image.length > 0 && image.length != Pixels.COUNT && !ImagePreprocessor.looksEncoded(image)) {
            throw InvalidMessageException.field(Reason.INVALID_IMAGE, "image", RAW_IMAGE,
                    image.length + " bytes that are neither");
        }
        Instant submittedAt = m.hasSubmittedAt() ? instant(m.getSubmittedAt(), "submitted_at") : received;
        ScoreRequest request = new ScoreRequest(emptyToNull(m.getId()), (String) null, emptyToNull(m.getModel()),
                m.getExplain(), submittedAt, m.hasTrueLabel() ? m.getTrueLabel() : null);
        try {
            request.validateWithRawImage(image.length > 0);
        } catch (InvalidMessageException e) {
            throw new InvalidMessageException(e.reason(), protoNames(e.getMessage()), e.getCause());
        }
        return new RawScoreRequest(request, image);
    }

    public static Prediction readPrediction(byte[] bytes, Instant received) {
        dev.fmnist.common.messaging.proto.Prediction m;
        try {
            m = dev.fmnist.common.messaging.proto.Prediction.parseFrom(nonEmpty(bytes, PREDICTION));
        } catch (InvalidProtocolBufferException e) {
            throw notParsed(PREDICTION);
        }
        String className = emptyToNull(m.getClassName());
        if (className == null && FashionClass.isValidLabel(m.getLabel())) {
            className = FashionClass.ofLabel(m.getLabel()).displayName();
        }
        float[] probabilities = new float[m.getProbabilitiesCount()];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = m.getProbabilities(i);
        }
        byte[] image = m.getImage().toByteArray();
        Instant scoredAt = m.hasScoredAt() ? instant(m.getScoredAt(), "scored_at") : received;
        Prediction prediction = new Prediction(emptyToNull(m.getRequestId()),
                new ModelRef(emptyToNull(m.getModelName()), m.getModelVersion()), m.getLabel(), className,
                probabilities, image.length == 0 ? null : Base64.getEncoder().encodeToString(image), scoredAt,
                m.getLatencyMs(), m.getExplain(), m.hasTrueLabel() ? m.getTrueLabel() : null);
        validate(prediction);
        return prediction;
    }

    public static dev.fmnist.common.messaging.proto.ScoreRequest toProto(ScoreRequest r) {
        var b = dev.fmnist.common.messaging.proto.ScoreRequest.newBuilder()
                .setId(r.id())
                .setImage(ByteString.copyFrom(Base64.getDecoder().decode(r.image())))
                .setExplain(r.explain());
        if (r.model() != null) {
            b.setModel(r.model());
        }
        if (r.submittedAt() != null) {
            b.setSubmittedAt(timestamp(r.submittedAt()));
        }
        if (r.trueLabel() != null) {
            b.setTrueLabel(r.trueLabel());
        }
        return b.build();
    }

    public static dev.fmnist.common.messaging.proto.Prediction toProto(Prediction p) {
        return toProto(p, ByteString.copyFrom(Base64.getDecoder().decode(p.image())));
    }

    private static dev.fmnist.common.messaging.proto.Prediction toProto(Prediction p, ByteString image) {
        var b = dev.fmnist.common.messaging.proto.Prediction.newBuilder()
                .setRequestId(p.requestId())
                .setModelName(p.model().name())
                .setModelVersion(p.model().version())
                .setLabel(p.label())
                .setImage(image)
                .setLatencyMs(p.latencyMs())
                .setExplain(p.explain());
        if (p.className() != null) {
            b.setClassName(p.className());
        }
        for (float f : p.probabilities()) {
            b.addProbabilities(f);
        }
        if (p.scoredAt() != null) {
            b.setScoredAt(timestamp(p.scoredAt()));
        }
        if (p.trueLabel() != null) {
            b.setTrueLabel(p.trueLabel());
        }
        return b.build();
    }

    /**
     * The Protobuf bytes of {@code p} with {@code image} (the 784 pixels the model saw) as its image: {@code p}'s own
     * {@link Prediction#image()} is not read (it may be null), so inference writes the pixels it holds without a
     * base64 round trip. {@code image} is wrapped, not copied: it must not change afterwards.
     */
    public static byte[] writePrediction(Prediction p, byte[] image) {
        return toProto(p, UnsafeByteOperations.unsafeWrap(image)).toByteArray();
    }

    private static byte[] nonEmpty(byte[] bytes, String messageType) {
        // an empty record is a valid (all-default) protobuf message; saying so is clearer than "field 'id' is missing"
        if (bytes == null || bytes.length == 0) {
            throw new InvalidMessageException(Reason.INVALID_PROTOBUF, "empty record: expected a " + messageType
                    + " protobuf message");
        }
        return bytes;
    }

    private static InvalidMessageException notParsed(String messageType) {
        return new InvalidMessageException(Reason.INVALID_PROTOBUF, "not a valid " + messageType
                + " protobuf message (the record's content-type says Protobuf; a JSON producer sends no content-type "
                + "header or application/json)");
    }

    private static Instant instant(Timestamp t, String field) {
        try {
            return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
        } catch (DateTimeException | ArithmeticException e) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, field, TIMESTAMP,
                    "seconds " + t.getSeconds() + ", nanos " + t.getNanos());
        }
    }

    private static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private static final Pattern FIELD = Pattern.compile("field '([A-Za-z.]+)'");

    /** Runs the record's checks, naming the fields as the .proto does ({@code trueLabel}: {@code true_label}). */
    private static void validate(Validated message) {
        try {
            message.validate();
        } catch (InvalidMessageException e) {
            throw new InvalidMessageException(e.reason(), protoNames(e.getMessage()), e.getCause());
        }
    }

    /** {@code field 'trueLabel'} becomes {@code field 'true_label'}, {@code model.name} {@code model_name}. */
    static String protoNames(String message) {
        Matcher m = FIELD.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String snake = m.group(1).replace('.', '_').replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
            m.appendReplacement(out, Matcher.quoteReplacement("field '" + snake + "'"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
