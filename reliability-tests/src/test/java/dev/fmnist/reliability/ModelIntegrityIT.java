package dev.fmnist.reliability;

import static dev.fmnist.reliability.HttpProbe.get;
import static dev.fmnist.reliability.HttpProbe.postJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.testsupport.KafkaTestClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #10, model integrity: a new lenet version whose artifact does not match its registered SHA-256
 * (one byte flipped after registration, as a corrupted or tampered store would hold it) is announced on
 * {@code fmnist.models}. The running inference service refuses it and keeps serving the previous
 * version, and so does an instance started while the corrupt version is the newest.
 */
class ModelIntegrityIT {
    private static Platform platform;

    @BeforeAll
    static void startThePlatform() throws Exception {
        platform = Platform.get();
    }

    @Test
    void anArtifactWhoseSha256DoesNotMatchIsRefusedAndThePreviousVersionKeepsServing() throws Exception {
        String served = servedVersion();
        int corrupt;
        try (Connection c = platform.db.connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO registry.model_version (name, version, format, sha256, artifact, metrics, published_at)"
                        + " SELECT name, version + 1, format, sha256, overlay(artifact placing"
                        + " decode(lpad(to_hex(255 - get_byte(artifact, length(artifact) / 2)), 2, '0'), 'hex')"
                        + " from length(artifact) / 2 + 1 for 1), metrics, now()"
                        + " FROM registry.model_version WHERE name = 'lenet' ORDER BY version DESC LIMIT 1"
                        + " RETURNING version, format, sha256, artifact")) {
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                corrupt = rs.getInt(1);
                assertThat(ModelRegistryReader.sha256(rs.getBytes(4))).as("the artifact no longer matches")
                        .isNotEqualTo(rs.getString(3));
                try (KafkaTestClient kafka = new KafkaTestClient(platform.broker.bootstrapServers())) {
                    kafka.send(Topics.MODELS, "lenet", Json.write(new ModelPublished("lenet", corrupt, rs.getString(2),
                            rs.getString(3), Map.of(), Instant.now())));
                }
            }
        }
        try {
            // the running service refuses it (a failed load, counted) and keeps answering with the previous version
            String failedLoads = "inference_model_loads_total{model=\"lenet\",outcome=\"failed\"}";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!metrics().contains(failedLoads) && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(metrics()).as("the refused load is counted").contains(failedLoads);
            assertThat(servedVersion()).isEqualTo(served);
            assertThat(platform.inference().status("/q/health/ready", Duration.ofSeconds(5))).isEqualTo(200);

            // a fresh instance, started while the corrupt version is the newest, serves the previous one
            platform.killAndRestartInference();
            assertThat(servedVersion()).isEqualTo(served);
        } finally {
            try (Connection c = platform.db.connect(); PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM registry.model_version WHERE name = 'lenet' AND version = ?")) {
                ps.setInt(1, corrupt);
                ps.executeUpdate();
            }
        }
    }

    /** The model version an OIP inference of one image is answered with. */
    private static String servedVersion() throws Exception {
        String zeros = String.join(",", Collections.nCopies(784, "0"));
        HttpProbe.Answer a = new HttpProbe().send(postJson(platform.inference().url("/v2/models/lenet/infer"),
                "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"UINT8\",\"shape\":[1,784],\"data\":[" + zeros + "]}]}"));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return new ObjectMapper().readTree(a.body()).path("model_version").asText();
    }

    private static String metrics() {
        return new HttpProbe().send(get(platform.inference().url("/q/metrics"))).body();
    }
}
