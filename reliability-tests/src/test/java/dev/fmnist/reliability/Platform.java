package dev.fmnist.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.testsupport.fault.TcpProxy;
import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.launcher.ServiceProcess;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The platform as the local stack runs it, started once per test JVM and shared by this module's
 * tests: a Kafka broker process, a fresh PostgreSQL database, lenet trained by the trainer's CLI, and
 * inference-service and explainer-service as their packaged jars. The explainer reaches PostgreSQL
 * through a {@link TcpProxy} a test can cut. The trainer's REST service starts on first use, with an
 * admin token made up for this run. Everything stops at JVM exit.
 */
final class Platform {
    static final Path WORK_DIR = Path.of("target").toAbsolutePath();
    /** Distinguishes this run's request ids, topics' records and folders from an earlier run's. */
    static final String RUN = "rel" + System.currentTimeMillis() % 1_000_000_000L;

    private static Platform instance;

    final KafkaBrokerProcess broker;
    final PostgresDatabaseTestResource.Database db;
    final TcpProxy explainerDatabase;
    final LabelledImages images;
    final String adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final Map<String, String> env;
    private final Map<String, String> inferenceEnv;
    private final Map<String, String> explainerEnv;
    private volatile ServiceProcess inference;
    private volatile ServiceProcess explainer;
    private ServiceProcess trainer;

    static synchronized Platform get() throws Exception {
        if (instance == null) {
            instance = new Platform();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "platform-stop"));
        }
        return instance;
    }

    private Platform() throws Exception {
        broker = KafkaBrokerProcess.start(WORK_DIR.resolve("kafka-" + RUN));
        try {
            db = PostgresDatabaseTestResource.database();
            URI pg = URI.create(db.jdbcUrl().substring("jdbc:".length()));
            explainerDatabase = new TcpProxy(pg.getHost(), pg.getPort() < 0 ? 5432 : pg.getPort());
            env = new HashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
            env.put("QUARKUS_DATASOURCE_USERNAME", db.user());
            env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());

            // one small lenet for every scenario, registered and announced on fmnist.models
            try (ServiceProcess train = ServiceProcess.start("trainer-service", env, WORK_DIR, "train", "--model", "lenet",
                    "--epochs", "1", "--limit", "3000", "--out", "reliability-models")) {
                assertThat(train.awaitExit(Duration.ofMinutes(4))).as(train.tail()).isZero();
            }

            inferenceEnv = new HashMap<>(env);
            inferenceEnv.put("INFERENCE_MODELS", "lenet");
            inferenceEnv.put("INFERENCE_THREADS", "1");
            explainerEnv = new HashMap<>(env);
            explainerEnv.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + explainerDatabase.port()
                    + pg.getRawPath() + (pg.getRawQuery() == null ? "" : "?" + pg.getRawQuery()));
            explainerEnv.put("EXPLAINER_SAMPLE_RATE", "0");
            // small explanation budgets: the scenarios are about delivery, not attribution quality
            explainerEnv.put("EXPLAINER_LIME_SAMPLES", "200");
            explainerEnv.put("EXPLAINER_KERNEL_SHAP_BUDGET", "300");
            inference = ServiceProcess.start("inference-service", inferenceEnv, WORK_DIR);
            explainer = ServiceProcess.start("explainer-service", explainerEnv, WORK_DIR);
            inference.awaitReady(Duration.ofMinutes(3));
            explainer.awaitReady(Duration.ofMinutes(3));
            images = FashionMnist.load().test();
        } catch (Exception | AssertionError e) {
            // the shutdown hook is not registered yet: without this the broker and services would outlive the JVM
            stop();
            throw e;
        }
    }

    ServiceProcess inference() {
        return inference;
    }

    ServiceProcess explainer() {
        return explainer;
    }

    /** The trainer's REST service, started on first use with {@link #adminToken}. */
    synchronized ServiceProcess trainer() throws Exception {
        if (trainer == null) {
            Map<String, String> trainerEnv = new HashMap<>(env);
            trainerEnv.put("TRAINER_ADMIN_TOKEN", adminToken);
            trainer = ServiceProcess.start("trainer-service", trainerEnv, WORK_DIR);
            trainer.awaitReady(Duration.ofMinutes(3));
        }
        return trainer;
    }

    /** {@code kill -9} of the inference service, then a new one, as a supervisor would start; returns when it is ready. */
    void killAndRestartInference() throws Exception {
        inference.kill();
        inference = ServiceProcess.start("inference-service", inferenceEnv, WORK_DIR);
        inference.awaitReady(Duration.ofMinutes(3));
    }

    void killAndRestartExplainer() throws Exception {
        explainer.kill();
        explainer = ServiceProcess.start("explainer-service", explainerEnv, WORK_DIR);
        explainer.awaitReady(Duration.ofMinutes(3));
    }

    private void stop() {
        for (AutoCloseable c : new AutoCloseable[] {trainer, explainer, inference, broker, explainerDatabase}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }
}
