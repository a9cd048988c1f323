package dev.fmnist.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.trainer.config.TrainerConfig;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.evaluation.Evaluation;
import dev.fmnist.trainer.messaging.ModelEventPublisher;
import dev.fmnist.trainer.repository.ModelRegistryRepository;
import dev.fmnist.trainer.repository.ModelRegistryRepository.VersionInfo;
import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Kafka or PostgreSQL down at publish time: bounded retries, then a clear failure, and no
 * half-published version. The registry is the real PostgreSQL server; the broker's refusal is an
 * emitter whose sends fail, as they do when no broker acknowledges.
 */
class PublishFailureTest {
    static DataSource db;

    @BeforeAll
    static void migrate() {
        PostgresDatabaseTestResource.Database database = PostgresDatabaseTestResource.database();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(database.jdbcUrl());
        ds.setUser(database.user());
        ds.setPassword(database.password());
        Flyway.configure().dataSource(ds).schemas("registry").defaultSchema("registry").createSchemas(true)
                .locations("classpath:db/registry").load().migrate();
        db = ds;
    }

    static TrainerConfig config() {
        return new TrainerConfig() {
            public Optional<String> adminToken() {
                return Optional.empty();
            }

            public int threads() {
                return 1;
            }

            public String outputDir() {
                return "target/models";
            }

            public String engineCacheDir() {
                return "target/djl-cache";
            }

            public long seed() {
                return 42;
            }

            public Optional<String> dataDir() {
                return Optional.empty();
            }

            public int publishAttempts() {
                return 2;
            }

            public int reportEmbeddingImages() {
                return 0;
            }

            public boolean cnnRefit() {
                return false;
            }
        };
    }

    @SuppressWarnings("unchecked")
    static ModelEventPublisher publisher(boolean brokerUp, List<ModelPublished> sent) {
        MutinyEmitter<byte[]> emitter = (MutinyEmitter<byte[]>) Proxy.newProxyInstance(getClass0().getClassLoader(),
                new Class<?>[] {MutinyEmitter.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage")) {
                        if (!brokerUp) {
                            return Uni.createFrom().failure(new IllegalStateException("no broker acknowledged the record"));
                        }
                        return Uni.createFrom().voidItem();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return new ModelEventPublisher(emitter) {
            @Override
            public Uni<Void> publish(ModelPublished event) {
                return super.publish(event).invoke(() -> sent.add(event));
            }
        };
    }

    private static Class<?> getClass0() {
        return PublishFailureTest.class;
    }

    static TrainedModel trained() {
        return new TrainedModel("lenet", ModelPublished.FORMAT_ONNX, meta -> ("artifact " + meta).getBytes(), null,
                Map.of(), Map.of(), List.of(), null);
    }

    static List<Evaluation> evaluations() {
        return List.of(Evaluation.of("test", new byte[] {1, 2}, new int[] {1, 3}));
    }

    @Test
    void kafkaDownWithdrawsTheVersionAfterBoundedRetries() throws SQLException {
        List<ModelPublished> sent = new ArrayList<>();
        ModelRegistryRepository registry = new ModelRegistryRepository(db);
        TrainingService service = new TrainingService(registry, publisher(false, sent), null, config(), null);
        VersionInfo v = service.register("lenet", trained(), run(registry, "lenet"), Map.of("testAccuracy", 0.5), evaluations());
        assertThat(registry.info("lenet", v.version())).isPresent();

        assertThatThrownBy(() -> service.announce(v))
                .hasMessageContaining("Kafka did not acknowledge lenet/" + v.version())
                .hasMessageContaining("after 2 attempts")
                .hasMessageContaining("withdrawn");
        assertThat(sent).isEmpty();
        assertThat(registry.info("lenet", v.version())).isEmpty();
        assertThat(count("SELECT count(*) FROM registry.evaluation WHERE name = 'lenet' AND version = " + v.version())).isZero();
    }

    @Test
    void kafkaUpPublishesThenMarksPublished() throws SQLException {
        List<ModelPublished> sent = new ArrayList<>();
        ModelRegistryRepository registry = new ModelRegistryRepository(db);
        TrainingService service = new TrainingService(registry, publisher(true, sent), null, config(), null);
        VersionInfo v = service.register("cnn", new TrainedModel("cnn", ModelPublished.FORMAT_ONNX, m -> new byte[] {7},
                null, Map.of(), Map.of(), List.of(), null), run(registry, "cnn"), Map.of(), evaluations());
        assertThat(registry.latest("cnn")).isEmpty(); // committed but not yet announced: not the latest

        service.announce(v);
        assertThat(sent).extracting(ModelPublished::version).contains(v.version());
        assertThat(registry.info("cnn", v.version()).orElseThrow().publishedAt()).isNotNull();
        assertThat(registry.latest("cnn").orElseThrow().version()).isEqualTo(v.version());
    }

    @Test
    void postgresDownFailsClearlyAndAnnouncesNothing() {
        PGSimpleDataSource dead = new PGSimpleDataSource();
        dead.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
        List<ModelPublished> sent = new ArrayList<>();
        TrainingService service = new TrainingService(new ModelRegistryRepository(dead), publisher(true, sent), null,
                config(), null);

        assertThatThrownBy(() -> service.register("xgboost", trained(), UUID.randomUUID(), Map.of(), evaluations()))
                .hasMessageContaining("register xgboost failed after 2 attempts");
        assertThat(sent).isEmpty();
    }

    static UUID run(ModelRegistryRepository registry, String model) throws SQLException {
        UUID id = UUID.randomUUID();
        registry.createRun(id, model, Map.of());
        return id;
    }

    static long count(String sql) throws SQLException {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
