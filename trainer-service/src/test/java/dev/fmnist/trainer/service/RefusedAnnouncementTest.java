package dev.fmnist.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.trainer.messaging.ModelEventPublisher;
import dev.fmnist.trainer.repository.ModelRegistryRepository;
import dev.fmnist.trainer.repository.ModelRegistryRepository.VersionInfo;
import dev.fmnist.testsupport.SecureKafkaBroker;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model announcement the broker refuses, on a real broker that requires SCRAM over TLS and enforces ACLs
 * (test-support's {@link SecureKafkaBroker}) and the real registry: the run fails with one sentence that names the
 * version, the topic, the principal and what was refused, the version is withdrawn, and the CLI prints that
 * sentence (exit 1), no Kafka exception class or stack trace.
 */
class RefusedAnnouncementTest {
    private static SecureKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        PublishFailureTest.migrate();
        broker = SecureKafkaBroker.start(Files.createTempDirectory(Path.of("target"), "secured-kafka-"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aPrincipalWithoutWriteOnTheModelsTopicIsNamedWithTheMissingAcl() throws Exception {
        // inference-service's principal may read fmnist.models, not write it; the producer is refused at once
        Map<String, Object> settings = new HashMap<>(broker.clientSettings(SecureKafkaBroker.INFERENCE));
        try (KafkaProducer<String, byte[]> producer = producer(settings)) {
            String message = refusal(new ModelEventPublisher(producerEmitter(producer), settings), "lenet");
            assertThat(message).matches("Kafka refused the announcement of lenet/\\d+ on fmnist\\.models by principal"
                    + " User:inference-service, so the version was withdrawn: Kafka denied this service's principal access to"
                    + " topic fmnist\\.models: an ACL on topic fmnist\\.models is missing \\(WRITE to produce to it, READ to"
                    + " consume it\\)");
            assertPrintedByTheCli(message);
        }
    }

    @Test
    void aWrongPasswordIsNamedWhenTheChannelOnlyTimesOut() throws Exception {
        // the SmallRye channel retries a refusal until the announcement times out: the trainer then asks the broker
        Map<String, Object> settings = new HashMap<>(broker.clientSettings(SecureKafkaBroker.TRAINER, "not-the-password"));
        String message = refusal(new ModelEventPublisher(silentEmitter(), settings), "cnn");
        assertThat(message).matches("Kafka refused the announcement of cnn/\\d+ on fmnist\\.models by principal"
                + " User:trainer-service, so the version was withdrawn: Kafka refused this service's credentials \\(Authentication"
                + " failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512\\): check the"
                + " user name and password in sasl\\.jaas\\.config \\(KAFKA_SASL_JAAS_CONFIG\\) and sasl\\.mechanism");
        assertPrintedByTheCli(message);
    }

    /** Registers a version, announces it through {@code publisher}, returns the failure's message; the version is gone. */
    private static String refusal(ModelEventPublisher publisher, String model) throws Exception {
        ModelRegistryRepository registry = new ModelRegistryRepository(PublishFailureTest.db);
        TrainingService service = new TrainingService(registry, publisher, null, PublishFailureTest.config(), null);
        VersionInfo v = service.register(model, PublishFailureTest.trained(), PublishFailureTest.run(registry, model),
                Map.of("testAccuracy", 0.5), PublishFailureTest.evaluations());
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> service.announce(v)).isInstanceOf(AnnouncementRefusedException.class)
                .satisfies(t -> thrown[0] = t);
        assertThat(registry.info(model, v.version())).isEmpty();
        return thrown[0].getMessage();
    }

    /** What the CLI prints for a run that failed so: the sentence, exit code 1, nothing of the Kafka client. */
    private static void assertPrintedByTheCli(String message) {
        TrainingJob job = new TrainingJob(new TrainingRequest("lenet", 1, 0, null));
        job.started();
        job.failed(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = dev.fmnist.trainer.cli.TrainerCommands.report(job, new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(1);
        assertThat(printed).isEqualTo("training failed: " + message + System.lineSeparator());
        assertThat(printed).doesNotContain("org.apache.kafka", "Exception", "\tat ");
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, Object> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "12000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** An emitter that sends with a real producer, as the channel does, and fails with the producer's error. */
    @SuppressWarnings("unchecked")
    private static MutinyEmitter<byte[]> producerEmitter(KafkaProducer<String, byte[]> producer) {
        return (MutinyEmitter<byte[]>) Proxy.newProxyInstance(RefusedAnnouncementTest.class.getClassLoader(),
                new Class<?>[] {MutinyEmitter.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("sendMessage")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Message<byte[]> message = (Message<byte[]>) args[0];
                    String key = message.getMetadata(OutgoingKafkaRecordMetadata.class).map(m -> (String) m.getKey()).orElse(null);
                    return Uni.createFrom().completionStage(() -> {
                        CompletableFuture<Void> acked = new CompletableFuture<>();
                        producer.send(new ProducerRecord<>(dev.fmnist.common.messaging.Topics.MODELS, key, message.getPayload()),
                                (metadata, error) -> {
                                    if (error != null) {
                                        acked.completeExceptionally(error);
                                    } else {
                                        acked.complete(null);
                                    }
                                });
                        return acked;
                    });
                });
    }

    /** An emitter whose sends never complete: the channel retrying a refusal until the announcement times out. */
    @SuppressWarnings("unchecked")
    private static MutinyEmitter<byte[]> silentEmitter() {
        return (MutinyEmitter<byte[]>) Proxy.newProxyInstance(RefusedAnnouncementTest.class.getClassLoader(),
                new Class<?>[] {MutinyEmitter.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage")) {
                        return Uni.createFrom().nothing();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
