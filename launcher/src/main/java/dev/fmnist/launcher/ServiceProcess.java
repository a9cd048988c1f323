package dev.fmnist.launcher;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged Quarkus service ({@code <module>/target/quarkus-app/quarkus-run.jar}) run as its own
 * JVM, with its output in a log file: the local stack's services ({@code ./fmnist up}, fixed ports, see
 * {@link Options}) and the process-level tests' (free ports; inference-service's gRPC port too). A separate process, so that tests of the
 * whole platform can also kill it for real ({@link #kill()} is {@code kill -9}).
 */
public final class ServiceProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final int port;
    private final int grpcPort;

    /** The services with a gRPC server of their own (quarkus.grpc.server.port): inference-service's OIP v2. */
    static final List<String> GRPC_SERVICES = List.of("inference-service");

    private ServiceProcess(String name, Process process, Path log, int port, int grpcPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
        this.grpcPort = grpcPort;
    }

    /** The repository root: the nearest folder, from the working directory up, that holds the service modules. */
    public static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("inference-service")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    public static Path jar(String module) {
        Path jar = repositoryRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + module + " first (mvn verify builds it)");
        }
        return jar;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * How a service is launched. The defaults are the tests': a free port, 768 MiB of heap, the log in
     * {@code workDir/service-logs/}, one file per start (a restarted service gets a new file, the old one is kept).
     */
    public static final class Options {
        private int port;
        private int grpcPort;
        private List<String> jvmOptions = List.of("-Xmx768m", "-XX:+UseSerialGC");
        private Path log;
        private boolean detached;

        /** A fixed HTTP port on 127.0.0.1 (0: a free one). */
        public Options port(int port) {
            this.port = port;
            return this;
        }

        /** A fixed gRPC port on 127.0.0.1 for a service that has one (0: a free one). */
        public Options grpcPort(int grpcPort) {
            this.grpcPort = grpcPort;
            return this;
        }

        /** The JVM options before {@code -jar} (heap, collector, system properties). */
        public Options jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** The log file (replaced); by default one new file a start in {@code workDir/service-logs/}. */
        public Options log(Path file) {
            this.log = file;
            return this;
        }

        /** In a session of its own ({@code setsid}): see {@link KafkaBrokerProcess#detached(boolean)}. */
        public Options detached(boolean detached) {
            this.detached = detached;
            return this;
        }
    }

    /**
     * Starts {@code module} with {@code env} and the arguments, in {@code workDir}, HTTP on a free port of
     * 127.0.0.1 (unless the arguments make it a CLI run); its output goes to {@code workDir/service-logs/},
     * one file per start (a restarted service gets a new file, the old one is kept).
     */
    public static ServiceProcess start(String module, Map<String, String> env, Path workDir, String... args)
            throws IOException {
        return start(module, env, workDir, new Options(), args);
    }

    /** Starts {@code module} as {@link #start(String, Map, Path, String...)} does, launched as {@code options} say. */
    public static ServiceProcess start(String module, Map<String, String> env, Path workDir, Options options,
                                       String... args) throws IOException {
        int port = options.port > 0 ? options.port : freePort();
        Path log = options.log;
        if (log == null) {
            Path logs = Files.createDirectories(workDir.resolve("service-logs"));
            String base = module + (args.length > 0 ? "-" + args[0] : "");
            log = logs.resolve(base + ".log");
            for (int i = 2; Files.exists(log); i++) {
                log = logs.resolve(base + "-" + i + ".log");
            }
        }
        List<String> command = new ArrayList<>(sessionPrefix(options.detached));
        command.add(javaBinary());
        command.addAll(options.jvmOptions);
        command.addAll(List.of("-jar", jar(module).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        int grpcPort = -1;
        if (GRPC_SERVICES.contains(module)) {
            grpcPort = options.grpcPort > 0 ? options.grpcPort : freePort();
            pb.environment().put("QUARKUS_GRPC_SERVER_HOST", "127.0.0.1");
            pb.environment().put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(grpcPort));
        }
        Process process = pb.start();
        awaitExec(process, jar(module).toString());
        return new ServiceProcess(module, process, log, port, grpcPort);
    }

    /**
     * Waits (at most 5 s) until the child runs the command: the JDK spawns it through a helper
     * ({@code jspawnhelper}), whose command line the pid shows for a moment, and a check by command line
     * ({@link PidFile#live()}) made in that moment would take the service for gone.
     */
    static void awaitExec(Process process, String expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (process.isAlive() && System.nanoTime() < deadline
                && !PidFile.commandLine(process.toHandle()).contains(expected)) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** {@code setsid} before the command when detached and installed: a session of its own, same pid (it execs). */
    static List<String> sessionPrefix(boolean detached) {
        if (detached) {
            for (String dir : List.of("/usr/bin", "/bin")) {
                if (Files.isExecutable(Path.of(dir, "setsid"))) {
                    return List.of(dir + "/setsid");
                }
            }
        }
        return List.of();
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** The gRPC port, -1 for a service without a gRPC server. */
    public int grpcPort() {
        return grpcPort;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Waits for {@code /q/health/ready} to answer 200. */
    public void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            last = status(url("/q/health/ready"));
            if (last == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not ready after " + timeout + " (last status " + last + "):\n" + tail());
    }

    /** The status of a GET of {@code path}, -1 when the service does not answer. */
    public int status(String path, Duration timeout) {
        return status(url(path), (int) timeout.toMillis());
    }

    /** Waits for a CLI run to end and returns its exit code. */
    public int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish within " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** {@code kill -9}: no shutdown hook runs, nothing is flushed or committed; returns when the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") survived kill -9");
        }
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The status of a GET of {@code url}, -1 when nothing answers (3 s at most). */
    public static int status(String url) {
        return status(url, 3000);
    }

    public static int status(String url, int readTimeoutMs) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(readTimeoutMs);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /** A graceful stop (SIGTERM), then {@code kill -9} when it takes longer than 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
