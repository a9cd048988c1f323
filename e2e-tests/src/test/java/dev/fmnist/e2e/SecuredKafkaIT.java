package dev.fmnist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.launcher.ServiceProcess;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.SecureKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform on a broker that requires SCRAM-SHA-512 over TLS and enforces ACLs ({@link SecureKafkaBroker}),
 * each service with its own principal given as {@code KAFKA_*} environment variables, as a deployment sets them:
 * the trainer trains {@code lenet} and announces it, inference-service scores what a client principal sends,
 * explainer-service stores predictions and explanations and announces them. Then what a wrong password and a
 * forgotten ACL look like: readiness DOWN and a log line that say so, never a silent stall.
 */
class SecuredKafkaIT {
    private static final Path WORK_DIR = Path.of("target").toAbsolutePath();
    private static final int IMAGES = 12;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static SecureKafkaBroker broker;
    private static PostgresDatabaseTestResource.Database db;

    @BeforeAll
    static void startTheBrokerAndTrain() throws Exception {
        broker = SecureKafkaBroker.start(Files.createTempDirectory(WORK_DIR, "secured-kafka-"));
        db = PostgresDatabaseTestResource.freshDatabase();
        try (ServiceProcess trainer = ServiceProcess.start("trainer-service", env(SecureKafkaBroker.TRAINER), WORK_DIR,
                "train", "--model", "lenet", "--epochs", "1", "--limit", "2000", "--out=secured-models")) {
            assertThat(trainer.awaitExit(Duration.ofMinutes(4))).as(trainer.tail()).isZero();
        }
    }

    @AfterAll
    static void stopTheBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyServiceWorksWithItsOwnPrincipalAndNothingMore() throws Exception {
        String prefix = "secured-" + System.currentTimeMillis() + "-";
        Map<String, String> inferenceEnv = env(SecureKafkaBroker.INFERENCE);
        inferenceEnv.put("INFERENCE_MODELS", "lenet");
        Map<String, String> explainerEnv = env(SecureKafkaBroker.EXPLAINER);
        explainerEnv.put("EXPLAINER_SAMPLE_RATE", "0");
        try (ServiceProcess inference = ServiceProcess.start("inference-service", inferenceEnv, WORK_DIR);
             ServiceProcess explainer = ServiceProcess.start("explainer-service", explainerEnv, WORK_DIR)) {
            inference.awaitReady(Duration.ofMinutes(3));
            explainer.awaitReady(Duration.ofMinutes(3));

            LabelledImages test = FashionMnist.load().test().head(IMAGES);
            try (KafkaProducer<String, byte[]> client = producer(SecureKafkaBroker.CLIENT)) {
                for (int i = 0; i < IMAGES; i++) {
                    ScoreRequest request = new ScoreRequest(prefix + i, test.image(i), "lenet", true, Instant.now(),
                            test.label(i));
                    client.send(new ProducerRecord<>(Topics.IMAGES, request.id(), Json.write(request))).get(30, TimeUnit.SECONDS);
                }
            }

            // scored with the model the trainer announced, stored and explained by both methods
            Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(count("select count(*) from xai.prediction where request_id like ?", prefix)).isEqualTo(IMAGES);
                assertThat(count("select count(*) from xai.explanation where status = 'succeeded' and request_id like ?",
                        prefix)).isEqualTo(2L * IMAGES);
            });
            // the explainer announced every stored explanation, read by the client's principal
            assertThat(readKeys(Topics.EXPLANATIONS, prefix, 2 * IMAGES)).hasSize(2 * IMAGES);
            assertThat(readKeys(Topics.PREDICTIONS, prefix, IMAGES)).hasSize(IMAGES);
        }
    }

    @Test
    void aWrongPasswordShowsInReadinessAndTheLog() throws Exception {
        Map<String, String> env = env(SecureKafkaBroker.INFERENCE, "not-the-password");
        env.put("INFERENCE_MODELS", "lenet");
        try (ServiceProcess inference = ServiceProcess.start("inference-service", env, WORK_DIR)) {
            String refused = "Kafka refused this service's credentials (Authentication failed during authentication due"
                    + " to invalid credentials with SASL mechanism SCRAM-SHA-512): check the user name and password in"
                    + " sasl.jaas.config (KAFKA_SASL_JAAS_CONFIG) and sasl.mechanism";
            String readiness = awaitDown(inference, refused);
            assertThat(readiness).contains("\"Kafka access\"");
            // one ERROR line from the access check (the log format abbreviates the category and adds trace ids)
            assertThat(Files.readAllLines(inference.log())).anySatisfy(line -> assertThat(line)
                    .contains("ERROR", "KafkaAccessMonitor", "(kafka-access-check)",
                            "Kafka access of inference-service: " + refused));
        }
    }

    @Test
    void aMissingAclShowsInReadinessAndTheLogBeforeAnyRecordAndWhenOneFails() throws Exception {
        Map<String, String> env = env(SecureKafkaBroker.INFERENCE_WITHOUT_PREDICTIONS);
        env.put("INFERENCE_MODELS", "lenet");
        try (ServiceProcess inference = ServiceProcess.start("inference-service", env, WORK_DIR)) {
            // no ACL at all on the topic: the broker will not even describe it to this principal
            String missing = "Kafka denied this service's principal access to topic fmnist.predictions: an ACL allowing"
                    + " WRITE on topic fmnist.predictions is missing";
            assertThat(awaitDown(inference, missing)).contains("\"Kafka access\"");
            assertThat(Files.readString(inference.log())).contains("Kafka access of inference-service: " + missing);

            // a record sent anyway fails its batch with the same kind of sentence, and stops the channel visibly
            LabelledImages test = FashionMnist.load().test().head(1);
            try (KafkaProducer<String, byte[]> client = producer(SecureKafkaBroker.CLIENT)) {
                ScoreRequest request = new ScoreRequest("secured-acl-" + UUID.randomUUID(), test.image(0), "lenet", false,
                        Instant.now(), test.label(0));
                client.send(new ProducerRecord<>(Topics.IMAGES, request.id(), Json.write(request))).get(30, TimeUnit.SECONDS);
            }
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(Files.readString(inference.log())).contains("A batch of 1 images failed, nacking it: Kafka"
                            + " denied this service's principal access to topic fmnist.predictions: an ACL on topic"
                            + " fmnist.predictions is missing (WRITE to produce to it, READ to consume it)"));
        }
    }

    /** The service's environment: the database, and the Kafka settings of {@code user} as {@code KAFKA_*} variables. */
    private static Map<String, String> env(String user) {
        return env(user, broker.password(user));
    }

    private static Map<String, String> env(String user, String password) {
        Map<String, String> env = new HashMap<>(SecureKafkaBroker.asEnvironment(broker.clientSettings(user, password)));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());
        return env;
    }

    /** Waits until {@code /q/health/ready} answers 503 with {@code text} in its body; returns the body. */
    private static String awaitDown(ServiceProcess service, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new AssertionError(service.name() + " exited:\n" + service.tail());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/q/health/ready")))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 503 && r.body().contains(text)) {
                    return r.body();
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("readiness of " + service.name() + " never went DOWN naming '" + text + "'; last: "
                + last + "\n" + service.tail());
    }

    private static KafkaProducer<String, byte[]> producer(String user) {
        Properties p = broker.clientProperties(user);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static List<String> readKeys(String topic, String prefix, int expected) {
        Properties p = broker.clientProperties(SecureKafkaBroker.CLIENT);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "fmnist-client-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (keys.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(prefix)) {
                        keys.add(r.key());
                    }
                }
            }
        }
        return keys;
    }

    private static long count(String sql, String prefix) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
