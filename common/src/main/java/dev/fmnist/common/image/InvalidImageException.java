package dev.fmnist.common.image;

/** Bytes that cannot be turned into a 28x28 image: empty, too large, or not a decodable picture. */
public class InvalidImageException extends IllegalArgumentException {
    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
