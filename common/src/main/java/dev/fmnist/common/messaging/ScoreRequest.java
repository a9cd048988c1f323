package dev.fmnist.common.messaging;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.image.ImagePreprocessor;
import dev.fmnist.common.image.InvalidImageException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * A request to score one image, the value of {@code fmnist.images}.
 *
 * @param id          request id, also the record key
 * @param image       base64 of 784 raw uint8 pixels, or of a PNG/JPEG file
 * @param model       {@code cnn}, {@code lenet}, {@code xgboost} or {@code all}
 * @param explain     whether explanations are asked for
 * @param submittedAt when the client sent it
 * @param trueLabel   the known label, if any (labelled traffic: accuracy on dashboards); optional
 */
public record ScoreRequest(String id, String image, String model, boolean explain, Instant submittedAt,
                           Integer trueLabel) implements Validated {

    public static final int MAX_ID_LENGTH = 200;

    public ScoreRequest(String id, byte[] pixels, String model, boolean explain, Instant submittedAt, Integer trueLabel) {
        this(id, Base64.getEncoder().encodeToString(pixels), model, explain, submittedAt, trueLabel);
    }

    @Override
    public void validate() {
        if (id == null || id.isBlank()) {
            throw InvalidMessageException.field("id is missing");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw InvalidMessageException.field("id is longer than " + MAX_ID_LENGTH + " characters");
        }
        if (image == null || image.isEmpty()) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_IMAGE, "image is missing");
        }
        if (model == null) {
            throw new InvalidMessageException(InvalidMessageException.Reason.UNKNOWN_MODEL, "model is missing");
        }
        ModelNames.resolve(model);
        if (trueLabel != null && !FashionClass.isValidLabel(trueLabel)) {
            throw InvalidMessageException.field("trueLabel must be 0..9, got " + trueLabel);
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
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_IMAGE,
                    "image is not valid base64: " + e.getMessage(), e);
        }
        if (ImagePreprocessor.looksEncoded(bytes)) {
            try {
                return preprocessor.preprocess(bytes);
            } catch (InvalidImageException e) {
                throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_IMAGE, e.getMessage(), e);
            }
        }
        if (bytes.length != Pixels.COUNT) {
            throw new InvalidMessageException(InvalidMessageException.Reason.INVALID_IMAGE,
                    "image must be 784 raw pixels (28x28 uint8) or a PNG/JPEG file, got " + bytes.length
                            + " bytes that are neither");
        }
        return bytes;
    }
}
