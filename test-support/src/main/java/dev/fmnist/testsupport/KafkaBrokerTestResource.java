package dev.fmnist.testsupport;

import dev.fmnist.common.kafka.TopicAdmin;
import dev.fmnist.common.messaging.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;

/**
 * A real single-node Kafka cluster (KRaft, combined broker and controller) in the test JVM,
 * started once per JVM and closed at JVM exit, with the platform's topics created.
 * Sets {@code kafka.bootstrap.servers} for the Quarkus application under test.
 */
public class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {
    private static final Logger LOG = Logger.getLogger(KafkaBrokerTestResource.class);
    private static KafkaClusterTestKit cluster;

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", bootstrapServers());
    }

    @Override
    public void stop() {
        // the broker outlives one Quarkus application; it closes once, at JVM exit
    }

    /** Starts the cluster on first use and returns its bootstrap servers. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = startCluster();
            KafkaClusterTestKit started = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (Exception e) {
                    LOG.warn("closing the test Kafka cluster failed", e);
                }
            }, "kafka-test-cluster-close"));
        }
        return cluster.bootstrapServers();
    }

    private static KafkaClusterTestKit startCluster() {
        long t0 = System.nanoTime();
        try {
            Path base = Files.createDirectories(Path.of("target", "kafka-test", UUID.randomUUID().toString()));
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBaseDirectory(base.toAbsolutePath())
                    .build();
            // Without replication factor 1 for the internal topics a consumer group silently receives nothing.
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(true)
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            createTopics(kit.bootstrapServers());
            LOG.infof("Test Kafka cluster ready at %s in %d ms", kit.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-JVM Kafka test cluster: " + e.getMessage(), e);
        }
    }

    /** Creates the platform's topics ({@link Topics#ALL}, as the local stack has them) on the broker at {@code bootstrap}. */
    public static void createTopics(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            TopicAdmin.ensureAll(admin, outcome -> LOG.debug(outcome.describe()));
        }
    }

    /** Partitions of {@code topic} (the high-volume topics have several, so partitioned consumption is exercised). */
    public static int partitions(String topic) {
        return Topics.spec(topic).partitions();
    }
}
