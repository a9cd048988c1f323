package dev.fmnist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.testsupport.KafkaBrokerTestResource;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import dev.fmnist.launcher.ServiceProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The whole platform as the local stack runs it, started once per test JVM and shared by the test
 * classes of this module: a real Kafka broker and a fresh PostgreSQL database, the trainer's CLI
 * training {@code lenet} and {@code xgboost} on subsets (registered and announced on
 * {@code fmnist.models}), then inference-service and explainer-service as their own JVMs. Stopped
 * when the JVM exits.
 */
final class Platform {
    /** Where the services run and log: this module's build folder. */
    static final Path WORK_DIR = Path.of("target").toAbsolutePath();

    private static Platform instance;

    final PostgresDatabaseTestResource.Database db;
    final String bootstrap;
    final ServiceProcess inference;
    final ServiceProcess explainer;

    private Platform(PostgresDatabaseTestResource.Database db, String bootstrap, ServiceProcess inference,
                     ServiceProcess explainer) {
        this.db = db;
        this.bootstrap = bootstrap;
        this.inference = inference;
        this.explainer = explainer;
    }

    static synchronized Platform get() throws Exception {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                instance.explainer.close();
                instance.inference.close();
            }, "platform-stop"));
        }
        return instance;
    }

    private static Platform start() throws Exception {
        String bootstrap = KafkaBrokerTestResource.bootstrapServers();
        PostgresDatabaseTestResource.Database db = PostgresDatabaseTestResource.database();
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());

        // the trainer's CLI: lenet on 3,000 images and xgboost on 2,000, one after the other
        train(env, "lenet", "--epochs", "2", "--limit", "3000");
        train(env, "xgboost", "--epochs", "5", "--limit", "2000");

        Map<String, String> inferenceEnv = new HashMap<>(env);
        inferenceEnv.put("INFERENCE_MODELS", "lenet,xgboost");
        inferenceEnv.put("INFERENCE_THREADS", "1");
        ServiceProcess inference = ServiceProcess.start("inference-service", inferenceEnv, WORK_DIR);
        Map<String, String> explainerEnv = new HashMap<>(env);
        explainerEnv.put("EXPLAINER_SAMPLE_RATE", "0");
        ServiceProcess explainer = ServiceProcess.start("explainer-service", explainerEnv, WORK_DIR);
        inference.awaitReady(Duration.ofMinutes(3));
        explainer.awaitReady(Duration.ofMinutes(3));
        return new Platform(db, bootstrap, inference, explainer);
    }

    private static void train(Map<String, String> env, String model, String... options) throws Exception {
        String[] args = new String[4 + options.length];
        args[0] = "train";
        args[1] = "--model";
        args[2] = model;
        System.arraycopy(options, 0, args, 3, options.length);
        args[args.length - 1] = "--out=e2e-models";
        try (ServiceProcess trainer = ServiceProcess.start("trainer-service", env, WORK_DIR, args)) {
            assertThat(trainer.awaitExit(Duration.ofMinutes(4))).as(trainer.tail()).isZero();
        }
    }

    DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(db.jdbcUrl());
        ds.setUser(db.user());
        ds.setPassword(db.password());
        return ds;
    }

    /** The first column of the first row of {@code sql}, each {@code ?} bound to {@code like}. */
    long count(String sql, String like) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                ps.setString(i, like);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
