package dev.fmnist.common.data;

/** No complete, valid copy of Fashion-MNIST was found; the message says where we looked and what to do. */
public class DatasetNotFoundException extends RuntimeException {
    public DatasetNotFoundException(String message) {
        super(message);
    }
}
