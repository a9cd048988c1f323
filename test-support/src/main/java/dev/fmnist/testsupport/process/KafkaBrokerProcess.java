package dev.fmnist.testsupport.process;

import dev.fmnist.testsupport.KafkaBrokerTestResource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller, as the local stack runs it)
 * in a process of its own, so that a test can kill it ({@code kill -9}) and start it again on the same
 * ports and the same data directory: what a broker crash and restart look like to the services.
 * The in-JVM {@link KafkaBrokerTestResource} cannot be restarted; the platform's topics are created the
 * same way, from common's topic table.
 *
 * <p>The broker runs on this JVM's own classpath ({@code kafka_2.13} comes with {@code
 * kafka-test-common-runtime}), so no Kafka distribution is needed.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private final Path dir;
    private final Path properties;
    private final int port;
    private Process process;
    private int starts;

    private KafkaBrokerProcess(Path dir, Path properties, int port) {
        this.dir = dir;
        this.properties = properties;
        this.port = port;
    }

    /** Formats a new data directory under {@code dir}, starts the broker and creates the platform's topics. */
    public static KafkaBrokerProcess start(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = ServiceProcess.freePort();
        int controllerPort = ServiceProcess.freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("log.dirs", dir.resolve("data").toAbsolutePath().toString());
        // one node: without replication factor 1 for the internal topics a consumer group silently receives nothing
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        Path properties = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(properties)) {
            p.store(out, "single-node KRaft broker of a test (KafkaBrokerProcess)");
        }
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, properties, port);
        broker.format();
        broker.startAgain();
        KafkaBrokerTestResource.createTopics(broker.bootstrapServers());
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    private void format() throws Exception {
        Process format = java(List.of("kafka.tools.StorageTool", "format", "--standalone",
                "-t", Uuid.randomUuid().toString(), "-c", properties.toString()), dir.resolve("format.log"));
        if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the Kafka storage failed: see " + dir.resolve("format.log"));
        }
    }

    /** Starts the broker (again) on the same ports and data, and waits until it accepts connections. */
    public void startAgain() throws Exception {
        if (isAlive()) {
            throw new IllegalStateException("the broker runs already");
        }
        starts++;
        process = java(List.of("-Xmx512m", "-XX:+UseSerialGC", "kafka.Kafka", properties.toString()),
                dir.resolve("broker-" + starts + ".log"));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!portOpen()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + ": see "
                        + dir.resolve("broker-" + starts + ".log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not open port " + port + " within 2 minutes");
            }
            Thread.sleep(100);
        }
    }

    /** {@code kill -9}: nothing is flushed or shut down cleanly; returns when the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the Kafka broker (pid " + process.pid() + ") survived kill -9");
        }
    }

    private boolean portOpen() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Process java(List<String> arguments, Path log) throws IOException {
        // surefire puts the test classpath in this property when it runs tests through a manifest-only jar
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>(List.of(ServiceProcess.javaBinary(), "-cp", classpath));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** A graceful stop (SIGTERM), then {@code kill -9} when it takes longer than 30 s. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
