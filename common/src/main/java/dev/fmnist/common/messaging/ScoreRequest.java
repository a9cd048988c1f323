package dev.fmnist.common.messaging;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.image.InvalidImageException;
import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * A request to score one image, the value of {@code fmnist.images}. Only {@code id} and {@code image}
 * are required; the others default (docs/schemas/score-request.schema.json).
 *
 * @param id          request id, also the record key
 * @param image       base64 of 784 raw uint8 pixels, or of a PNG/JPEG file
 * @param model       {@code cnn}, {@code lenet}, {@code xgboost} or {@code all}; null: {@code all}
 * @param explain     whether explanations are asked for; absent: false
 * @param submittedAt when the client sent it; absent: the Kafka record's timestamp
 * @param trueLabel   the known label, if any (labelled traffic: accuracy on dashboards); optional
 */
public record ScoreRequest(String id, String image, String model, boolean explain, Instant submittedAt,
                           Integer trueLabel) implements Validated {

    public static final int MAX_ID_LENGTH = 200;
    static final String ID = "a non-blank string of at most " + MAX_ID_LENGTH + " characters";
    static final String IMAGE = "base64 of 784 raw pixels (28x28 uint8) or of a PNG/JPEG file";
    static final String MODEL = "one of \"cnn\", \"lenet\", \"xgboost\" or \"all\"";
    static final String LABEL = "an integer 0..9";

    public ScoreRequest {
        if (model == null) {
            model = ModelNames.ALL;
        }
    }

    public ScoreRequest(String id, byte[] pixels, String model, boolean explain, Instant submittedAt, Integer trueLabel) {
        this(id, Base64.getEncoder().encodeToString(pixels), model, explain, submittedAt, trueLabel);
    }

    static ScoreRequest read(JsonFields f, Instant received) {
        String id = f.string("id", Reason.INVALID_FIELD, ID, true);
        String image = f.string("image", Reason.INVALID_IMAGE, IMAGE, true);
        String model = f.string("model", Reason.UNKNOWN_MODEL, MODEL, false);
        Boolean explain = f.bool("explain", false);
        Instant submittedAt = f.instant("submittedAt", false);
        Integer trueLabel = f.integer("trueLabel", LABEL, false);
        return new ScoreRequest(id, image, model, explain != null && explain,
                submittedAt != null ? submittedAt : received, trueLabel);
    }

    @Override
    public void validate() {
        Validated.requireId("id", id);
        if (image == null) {
            throw InvalidMessageException.missing(Reason.INVALID_IMAGE, "image", IMAGE);
        }
        if (image.isEmpty()) {
            throw InvalidMessageException.field(Reason.INVALID_IMAGE, "image", IMAGE, "\"\"");
        }
        validateModelAndLabel();
    }

    /**
     * The checks of {@link #validate()} for a request whose image came as raw bytes beside it, not in {@link #image()}
     * (Protobuf, {@link ProtobufMessages#readScoreRequestRaw}): the same checks in the same order, so the same
     * dead-letter reason, with {@code imageGiven} standing for a non-empty image.
     */
    void validateWithRawImage(boolean imageGiven) {
        Validated.requireId("id", id);
        if (!imageGiven) {
            throw InvalidMessageException.missing(Reason.INVALID_IMAGE, "image", IMAGE);
        }
        validateModelAndLabel();
    }

    private void validateModelAndLabel() {
        if (!ModelNames.ALL.equals(model) && !ModelNames.isKnown(model)) {
            throw InvalidMessageException.field(Reason.UNKNOWN_MODEL, "model", MODEL, JsonFields.show(model));
        }
        if (trueLabel != null && !FashionClass.isValidLabel(trueLabel)) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "trueLabel", LABEL, trueLabel.toString());
        }
    }

    /** The models this request asks for. */
    public List<String> models() {
        return ModelNames.resolve(model);
    }

    /**
     * The 784 pixels to score: raw pixels as they are, a PNG/JPEG file preprocessed like a photo.
     */
    public byte[] pixels(ImagePreprocessor preprocessor) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(image);
        } catch (IllegalArgumentException e) {
            throw InvalidMessageException.field(Reason.INVALID_IMAGE, "image", IMAGE,
                    "text that is not valid base64 (" + e.getMessage() + ")", e);
        }
        return pixels(bytes, preprocessor);
    }

    /**
     * {@link #pixels(ImagePreprocessor)} of an image given as its bytes (raw pixels or a PNG/JPEG file), as a Protobuf
     * request carries it: the 784 raw pixels are returned as they are (not copied).
     */
    public static byte[] pixels(byte[] bytes, ImagePreprocessor preprocessor) {
        if (ImagePreprocessor.looksEncoded(bytes)) {
            try {
                return preprocessor.preprocess(bytes);
            } catch (InvalidImageException e) {
                throw InvalidMessageException.field(Reason.INVALID_IMAGE, "image", IMAGE,
                        "a file that cannot be used: " + e.getMessage(), e);
            }
        }
        if (bytes.length != Pixels.COUNT) {
            throw InvalidMessageException.field(Reason.INVALID_IMAGE, "image", IMAGE,
                    bytes.length + " bytes that are neither");
        }
        return bytes;
    }
}
