package dev.fmnist.explainer.messaging;

import dev.fmnist.common.kafka.BatchProducer;
import dev.fmnist.explainer.config.ExplainerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The explainer's plain Kafka producer: {@code ExplanationStored} events on {@code
 * fmnist.explanations}, dead letters on {@code fmnist.predictions.dlq} (both counted on their batch,
 * see {@link PredictionBatchConsumer}) and the web page's uploads on {@code fmnist.images} ({@link
 * ScoreRequestPublisher}). Built from the same {@code kafka.*} settings as the SmallRye channels
 * (Quarkus' {@code default-kafka-broker} map: bootstrap, security, SASL, SSL, compression...), with
 * acks=all, riding out broker outages ({@link BatchProducer#RIDE_OUT_BROKER_OUTAGES}); uploads have a producer of
 * their own that blocks at most {@code explainer.upload.send-timeout}.
 */
@ApplicationScoped
public class EventProducer {
    private final BatchProducer producer;
    private final BatchProducer uploads;

    public EventProducer(@Identifier("default-kafka-broker") Map<String, Object> kafka, ExplainerConfig config) {
        Map<String, Object> tuning = new java.util.HashMap<>(BatchProducer.RIDE_OUT_BROKER_OUTAGES);
        tuning.putAll(Map.of(ProducerConfig.CLIENT_ID_CONFIG, "explainer-service-events", ProducerConfig.ACKS_CONFIG, "all"));
        producer = BatchProducer.of(kafka, tuning);
        // uploads answer an HTTP request: their own producer, which gives up after the upload's send time-out
        uploads = BatchProducer.of(kafka, Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "explainer-service-uploads",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, config.upload().sendTimeout().toMillis()));
    }

    /** The producer of the web page's uploads (bounded waits: an HTTP request waits on it). */
    public BatchProducer uploads() {
        return uploads;
    }

    public BatchProducer producer() {
        return producer;
    }

    /** Sends what is buffered and waits for the acknowledgements (bounded), so a clean stop commits its last batches. */
    void close(@Observes ShutdownEvent event) {
        producer.close();
        uploads.close();
    }
}
