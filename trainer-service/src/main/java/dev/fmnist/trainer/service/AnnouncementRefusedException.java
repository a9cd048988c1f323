package dev.fmnist.trainer.service;

/**
 * Kafka refused a model announcement: the trainer's credentials, or no ACL allowing WRITE on {@code fmnist.models}.
 * Its message is the whole story (the version, the topic, the principal, what was refused, that the version was
 * withdrawn); the Kafka client's stack trace adds nothing, so it is logged and printed without one.
 */
public class AnnouncementRefusedException extends IllegalStateException {
    public AnnouncementRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
