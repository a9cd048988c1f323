package dev.fmnist.inference.rest;

/** An HTTP error answered as {@code {"error": "..."}} (Open Inference Protocol error object). */
public class OipException extends RuntimeException {
    private final int status;

    public OipException(int status, String message) {
        super(message);
        this.status = status;
    }

    public static OipException badRequest(String message) {
        return new OipException(400, message);
    }

    public int status() {
        return status;
    }
}
