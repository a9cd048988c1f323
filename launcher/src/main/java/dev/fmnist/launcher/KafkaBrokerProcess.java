package dev.fmnist.launcher;

import dev.fmnist.common.kafka.TopicAdmin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a process of its own: the
 * local stack's broker ({@code ./fmnist up}: fixed ports, data kept across restarts, a pid file) and the
 * process-level tests' broker (free ports, new data; a test can kill it ({@code kill -9}) and start it again
 * on the same ports and the same data directory: what a broker crash and restart look like to the services).
 *
 * <p>The broker runs on the launching JVM's own classpath (this module depends on {@code kafka_2.13} and the
 * server modules), so no Kafka distribution is needed. It logs through whatever SLF4J binding that classpath
 * has (slf4j-simple for the tools, configured by {@link #simpleLoggerOptions()}).
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private final Path dir;
    private final Path properties;
    private final Path dataDir;
    private final int port;
    private Path log;
    private List<String> jvmOptions = List.of("-Xmx512m", "-XX:+UseSerialGC");
    private boolean detached;
    private Process process;
    private int starts;

    private KafkaBrokerProcess(Path dir, Path properties, Path dataDir, int port) {
        this.dir = dir;
        this.properties = properties;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** The tests' broker: formats a new data directory under {@code dir}, starts the broker on free ports and creates the platform's topics. */
    public static KafkaBrokerProcess start(Path dir) throws Exception {
        KafkaBrokerProcess broker = configure(dir, dir.resolve("data"), ServiceProcess.freePort(), ServiceProcess.freePort());
        broker.formatIfNeeded();
        broker.startAgain();
        broker.createTopics(outcome -> { });
        return broker;
    }

    /**
     * Writes {@code dir/server.properties} for a broker on {@code port} (controller on {@code controllerPort}) with
     * its partitions and metadata log in {@code dataDir}; starts nothing. Settings: {@link #log(Path)},
     * {@link #jvmOptions(List)}, {@link #detached(boolean)}.
     */
    public static KafkaBrokerProcess configure(Path dir, Path dataDir, int port, int controllerPort) throws IOException {
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        // the loopback interface only
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        // dynamic quorum of one voter: the storage is formatted with 'StorageTool format --standalone'
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        // one node: without replication factor 1 for the internal topics a consumer group silently receives nothing
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // topics are created from common's topic table, with their partitions and policies; a typo fails loudly
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // small machine: few threads, a week of data at most, 1 GiB per partition at most
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.retention.hours", "168");
        p.put("log.retention.bytes", "1073741824");
        p.put("log.segment.bytes", "134217728");
        // The log cleaner (compacted topics: fmnist.models, the consumer offsets) allocates its key buffer in the heap
        // at start-up, 128 MiB by default: a third of the old generation of this broker's heap, held for good, kept
        // G1 over its marking threshold, and the broker ran a concurrent cycle after nearly every young collection
        // (70 cycles in 3 minutes, 15 % of 2 cores under load; benchmarks/NOTES.md, "Where the half-load latency
        // goes"). 8 MiB holds about 350,000 keys per cleaning pass: these topics have hundreds.
        p.put("log.cleaner.dedupe.buffer.size", "8388608");
        Path properties = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(properties)) {
            p.store(out, "single-node KRaft broker (dev.fmnist.launcher.KafkaBrokerProcess)");
        }
        return new KafkaBrokerProcess(dir, properties, dataDir, port);
    }

    /** One log file for every start and the storage format (appended); by default broker-N.log in the directory, one a start. */
    public KafkaBrokerProcess log(Path file) {
        this.log = file;
        return this;
    }

    /** The broker JVM's options (heap, collector); by default {@code -Xmx512m -XX:+UseSerialGC}. */
    public KafkaBrokerProcess jvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    /**
     * In a session of its own ({@code setsid}, where installed): a Ctrl-C in the terminal then reaches only the
     * launching JVM, which stops the services first and the broker last; and the broker outlives a launcher killed
     * with {@code kill -9} (a pid file lets another process stop it).
     */
    public KafkaBrokerProcess detached(boolean detached) {
        this.detached = detached;
        return this;
    }

    /** Options that make slf4j-simple log like the stack's broker always has: time, level, logger; quiet where noisy. */
    public static List<String> simpleLoggerOptions() {
        List<String> o = new ArrayList<>(List.of(
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.logFile=System.out",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS",
                "-Dorg.slf4j.simpleLogger.showShortLogName=true",
                "-Dorg.slf4j.simpleLogger.showThreadName=false"));
        // noisy at INFO: every request, every config dump, every replica state change
        for (String quiet : List.of("kafka.request.logger", "org.apache.kafka.common.config.AbstractConfig",
                "kafka.server.KafkaConfig", "org.apache.kafka.clients", "state.change.logger",
                "org.apache.kafka.common.utils.AppInfoParser")) {
            o.add("-Dorg.slf4j.simpleLogger.log." + quiet + "=warn");
        }
        return o;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path properties() {
        return properties;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The broker's pid; -1 before the first start. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** True when the data directory holds no formatted storage yet. */
    public boolean needsFormat() {
        return !Files.isRegularFile(dataDir.resolve("meta.properties"));
    }

    /** Formats the data directory with a new cluster id unless it holds a formatted storage; returns that id, or null when reused. */
    public String formatIfNeeded() throws Exception {
        return formatIfNeeded(Uuid.randomUuid().toString());
    }

    /** Formats the data directory with {@code clusterId} unless it holds a formatted storage; returns the id, or null when reused. */
    public String formatIfNeeded(String clusterId) throws Exception {
        return formatIfNeeded(clusterId, List.of());
    }

    /**
     * As {@link #formatIfNeeded(String)}, with more arguments for {@code kafka-storage format}: e.g. {@code
     * --add-scram SCRAM-SHA-512=[name=admin,password=...]}, the SCRAM credential a secured broker's own
     * inter-broker client needs before its metadata can hold any.
     */
    public String formatIfNeeded(String clusterId, List<String> formatArguments) throws Exception {
        if (!needsFormat()) {
            return null;
        }
        Files.createDirectories(dataDir);
        Path formatLog = log != null ? log : dir.resolve("format.log");
        List<String> arguments = new ArrayList<>(List.of("kafka.tools.StorageTool", "format", "--standalone",
                "-t", clusterId, "-c", properties.toString()));
        arguments.addAll(formatArguments);
        Process format = java(arguments, formatLog, false);
        if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the Kafka storage failed: see " + formatLog);
        }
        return clusterId;
    }

    /** Starts the broker (again) on the same ports and data, and waits (2 minutes at most) until it accepts connections. */
    public void startAgain() throws Exception {
        startAgain(Duration.ofMinutes(2));
    }

    /** Starts the broker (again) on the same ports and data, and waits until it accepts connections. */
    public void startAgain(Duration timeout) throws Exception {
        if (isAlive()) {
            throw new IllegalStateException("the broker runs already");
        }
        starts++;
        List<String> arguments = new ArrayList<>(jvmOptions);
        arguments.addAll(List.of("kafka.Kafka", properties.toString()));
        Path startLog = currentLog();
        process = java(arguments, startLog, detached);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!portOpen(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + ": see " + startLog);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not open port " + port + " within "
                        + timeout.toSeconds() + "s: see " + startLog);
            }
            Thread.sleep(100);
        }
    }

    /** The log of the current (or next) start. */
    public Path currentLog() {
        return log != null ? log : dir.resolve("broker-" + Math.max(starts, 1) + ".log");
    }

    /** Creates the platform's topics (common's topic table) that the broker lacks; {@code each} receives one outcome a topic. */
    public void createTopics(java.util.function.Consumer<TopicAdmin.Outcome> each) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        try (Admin admin = Admin.create(props)) {
            TopicAdmin.ensureAll(admin, each);
        }
    }

    /** {@code kill -9}: nothing is flushed or shut down cleanly; returns when the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the Kafka broker (pid " + process.pid() + ") survived kill -9");
        }
    }

    /** Whether something accepts connections on 127.0.0.1:{@code port}. */
    public static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Process java(List<String> arguments, Path log, boolean detached) throws IOException {
        // surefire puts the test classpath in this property when it runs tests through a manifest-only jar
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(ServiceProcess.sessionPrefix(detached));
        command.addAll(List.of(ServiceProcess.javaBinary(), "-cp", classpath));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ServiceProcess.awaitExec(process, ServiceProcess.javaBinary());
        return process;
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
