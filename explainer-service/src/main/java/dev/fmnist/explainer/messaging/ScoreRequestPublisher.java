package dev.fmnist.explainer.messaging;

import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Sends the web page's uploads to {@code fmnist.images} like any other client: the inference
 * service scores them and this service explains them from {@code fmnist.predictions}.
 */
@ApplicationScoped
public class ScoreRequestPublisher {
    private final EventProducer producer;

    public ScoreRequestPublisher(EventProducer producer) {
        this.producer = producer;
    }

    /** Sends one request and waits (on the caller's worker thread) until the broker has it. */
    public void send(ScoreRequest request, Duration timeout) throws ExecutionException, TimeoutException,
            InterruptedException {
        producer.uploads().sendAndWait(Topics.IMAGES, request.id(), Json.write(request), timeout);
    }
}
