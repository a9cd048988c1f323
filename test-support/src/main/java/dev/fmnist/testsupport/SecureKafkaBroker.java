package dev.fmnist.testsupport;

import dev.fmnist.common.kafka.KafkaGrants;
import dev.fmnist.common.kafka.TopicAdmin;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.launcher.KafkaBrokerProcess;
import dev.fmnist.launcher.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A real Kafka broker that requires authentication and authorization, as a production cluster does: one
 * {@code SASL_SSL} listener (SCRAM-SHA-512 over TLS, its certificate signed by a CA generated here), the KRaft
 * {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}, one principal per service with
 * ACLs for just what it needs ({@link #SERVICE_ACLS}), and the platform's topics. It runs as a process of its
 * own ({@link KafkaBrokerProcess}), so the JAAS settings of the test JVM stay untouched.
 *
 * <p>The controller listener (loopback, never given to clients) uses SASL PLAIN with the admin's password in
 * the broker's own settings: SCRAM credentials live in the metadata the controller serves, so the controller
 * cannot authenticate with them. The admin is the one super user; its SCRAM credential is written when the
 * storage is formatted. The CA and the broker's key are made with the JDK's {@code keytool}: no library.
 */
public final class SecureKafkaBroker implements AutoCloseable {
    /** SASL mechanism of the client listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    public static final String ADMIN = "admin";
    public static final String TRAINER = "trainer-service";
    public static final String INFERENCE = "inference-service";
    public static final String EXPLAINER = "explainer-service";
    /** What a client of the platform is (the tools' {@code stream}, {@code score}): writes images, reads results. */
    public static final String CLIENT = "fmnist-client";
    /** inference-service's ACLs less WRITE on {@code fmnist.predictions}: a deployment with one ACL forgotten. */
    public static final String INFERENCE_WITHOUT_PREDICTIONS = "inference-without-predictions";

    /**
     * Least privilege, common's {@link KafkaGrants} (the Kubernetes KafkaUsers of {@code deploy/k8s} carry the same):
     * topic READ or WRITE (each implies DESCRIBE), READ on the consumer groups (the per-instance {@code fmnist.models}
     * groups by prefix); plus a client principal and a principal with one ACL forgotten, for the tests.
     */
    public static final Map<String, List<AclBinding>> SERVICE_ACLS = serviceAcls();

    private final KafkaBrokerProcess process;
    private final Path caCertificate;
    private final Map<String, String> passwords;

    private SecureKafkaBroker(KafkaBrokerProcess process, Path caCertificate, Map<String, String> passwords) {
        this.process = process;
        this.caCertificate = caCertificate;
        this.passwords = passwords;
    }

    /** Generates the CA and the broker's certificate under {@code dir}, starts the broker on free ports, creates users, ACLs and topics. */
    public static SecureKafkaBroker start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path tls = Files.createDirectories(dir.resolve("tls"));
        String storePassword = randomSecret();
        Path caCertificate = tls.resolve("ca.crt");
        Path keystore = tls.resolve("broker.p12");
        generateCertificates(tls, storePassword, caCertificate, keystore);

        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put(ADMIN, randomSecret());
        for (String user : SERVICE_ACLS.keySet()) {
            passwords.put(user, randomSecret());
        }

        int port = ServiceProcess.freePort();
        int controllerPort = ServiceProcess.freePort();
        KafkaBrokerProcess broker = KafkaBrokerProcess.configure(dir, dir.resolve("data"), port, controllerPort);
        secure(broker.properties(), port, controllerPort, passwords.get(ADMIN), caCertificate, keystore, storePassword);
        broker.formatIfNeeded(Uuid.randomUuid().toString(), List.of("--add-scram",
                MECHANISM + "=[name=" + ADMIN + ",password=" + passwords.get(ADMIN) + "]"));
        broker.startAgain();
        SecureKafkaBroker secured = new SecureKafkaBroker(broker, caCertificate, passwords);
        try {
            secured.createUsersAclsAndTopics();
        } catch (Exception e) {
            secured.close();
            throw new IllegalStateException("the secured test broker started but could not be set up: " + e.getMessage()
                    + " (see " + broker.currentLog() + ")", e);
        }
        return secured;
    }

    public String bootstrapServers() {
        return process.bootstrapServers();
    }

    /** The CA certificate (PEM) clients trust. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** The password of {@code user}. */
    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user " + user + " on the secured test broker; users: " + passwords.keySet());
        }
        return password;
    }

    /** Client settings (without the {@code kafka.} prefix) for {@code user} with its password. */
    public Map<String, String> clientSettings(String user) {
        return clientSettings(user, password(user));
    }

    /** Client settings for {@code user} with {@code password} (a wrong one, to see what a client makes of it). */
    public Map<String, String> clientSettings(String user, String password) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", bootstrapServers());
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", MECHANISM);
        s.put("sasl.jaas.config", jaas(user, password));
        s.put("ssl.truststore.type", "PEM");
        s.put("ssl.truststore.location", caCertificate.toAbsolutePath().toString());
        return s;
    }

    /**
     * The same settings as environment variables of a service or tool ({@code KAFKA_SASL_JAAS_CONFIG} is
     * {@code kafka.sasl.jaas.config}): what a deployment sets.
     */
    public static Map<String, String> asEnvironment(Map<String, String> settings) {
        Map<String, String> env = new LinkedHashMap<>();
        settings.forEach((k, v) -> env.put("KAFKA_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
        return env;
    }

    /** The settings of {@code user} as a {@code Properties} for a plain Kafka client. */
    public Properties clientProperties(String user) {
        Properties p = new Properties();
        p.putAll(clientSettings(user));
        return p;
    }

    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The broker's log. */
    public Path log() {
        return process.currentLog();
    }

    @Override
    public void close() {
        process.close();
    }

    private void createUsersAclsAndTopics() throws Exception {
        try (Admin admin = Admin.create(adminProperties())) {
            List<UserScramCredentialAlteration> users = new ArrayList<>();
            for (String user : SERVICE_ACLS.keySet()) {
                users.add(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password(user)));
            }
            admin.alterUserScramCredentials(users).all().get(60, TimeUnit.SECONDS);
            admin.createAcls(SERVICE_ACLS.values().stream().flatMap(List::stream).toList()).all().get(60, TimeUnit.SECONDS);
            TopicAdmin.ensureAll(admin, outcome -> { });
        }
    }

    private Properties adminProperties() {
        Properties p = clientProperties(ADMIN);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        return p;
    }

    private static Map<String, List<AclBinding>> serviceAcls() {
        Map<String, List<AclBinding>> acls = new LinkedHashMap<>();
        acls.put(TRAINER, bindings(TRAINER, KafkaGrants.TRAINER));
        List<AclBinding> inference = bindings(INFERENCE, KafkaGrants.INFERENCE);
        acls.put(INFERENCE, inference);
        acls.put(EXPLAINER, bindings(EXPLAINER, KafkaGrants.EXPLAINER));
        List<AclBinding> client = new ArrayList<>(List.of(topic(CLIENT, Topics.IMAGES, AclOperation.WRITE)));
        for (String results : List.of(Topics.PREDICTIONS, Topics.EXPLANATIONS, Topics.IMAGES_DLQ, Topics.PREDICTIONS_DLQ)) {
            client.add(topic(CLIENT, results, AclOperation.READ));
        }
        client.add(group(CLIENT, "fmnist-client-", PatternType.PREFIXED));
        acls.put(CLIENT, List.copyOf(client));
        // the same grants under another name, less one: what a deployment with a forgotten ACL looks like
        acls.put(INFERENCE_WITHOUT_PREDICTIONS, inference.stream()
                .filter(b -> !(b.pattern().name().equals(Topics.PREDICTIONS) && b.entry().operation() == AclOperation.WRITE))
                .map(b -> new AclBinding(b.pattern(), new AccessControlEntry("User:" + INFERENCE_WITHOUT_PREDICTIONS,
                        "*", b.entry().operation(), AclPermissionType.ALLOW)))
                .toList());
        return java.util.Collections.unmodifiableMap(acls);
    }

    /** common's grants of one service ({@link KafkaGrants}, the KafkaUsers of deploy/k8s carry the same) as ACLs of {@code user}. */
    private static List<AclBinding> bindings(String user, KafkaGrants.Grant grant) {
        List<AclBinding> out = new ArrayList<>();
        grant.reads().forEach(t -> out.add(topic(user, t, AclOperation.READ)));
        grant.writes().forEach(t -> out.add(topic(user, t, AclOperation.WRITE)));
        grant.groups().forEach(g -> out.add(group(user, g, PatternType.LITERAL)));
        grant.groupPrefixes().forEach(g -> out.add(group(user, g, PatternType.PREFIXED)));
        return List.copyOf(out);
    }

    private static AclBinding topic(String user, String topic, AclOperation operation) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    private static AclBinding group(String user, String group, PatternType pattern) {
        return new AclBinding(new ResourcePattern(ResourceType.GROUP, group, pattern),
                new AccessControlEntry("User:" + user, "*", AclOperation.READ, AclPermissionType.ALLOW));
    }

    /** Rewrites the plain broker's settings: the SASL_SSL client listener, the PLAIN controller listener, the authorizer. */
    private static void secure(Path properties, int port, int controllerPort, String adminPassword, Path caCertificate,
                               Path keystore, String storePassword) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(properties)) {
            p.load(in);
        }
        p.put("listeners", "SECURE://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "SECURE://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "SECURE:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
        p.put("inter.broker.listener.name", "SECURE");
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name.secure.scram-sha-512.sasl.jaas.config", jaas(ADMIN, adminPassword));
        p.put("listener.name.secure.ssl.keystore.type", "PKCS12");
        p.put("listener.name.secure.ssl.keystore.location", keystore.toAbsolutePath().toString());
        p.put("listener.name.secure.ssl.keystore.password", storePassword);
        p.put("listener.name.secure.ssl.truststore.type", "PEM");
        p.put("listener.name.secure.ssl.truststore.location", caCertificate.toAbsolutePath().toString());
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN + "\" password=\""
                        + adminPassword + "\" user_" + ADMIN + "=\"" + adminPassword + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + ADMIN);
        p.put("allow.everyone.if.no.acl.found", "false");
        try (OutputStream out = Files.newOutputStream(properties)) {
            p.store(out, "single-node KRaft broker, SASL_SSL + SCRAM-SHA-512 and ACLs (dev.fmnist.testsupport.SecureKafkaBroker)");
        }
    }

    /** A CA, and the broker's key with a certificate for 127.0.0.1 and localhost signed by it, with the JDK's keytool. */
    private static void generateCertificates(Path dir, String password, Path caCertificate, Path keystore) throws Exception {
        Path ca = dir.resolve("ca.p12");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.crt");
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=fmnist test CA",
                "-ext", "bc:c", "-validity", "7", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", password);
        keytool(dir, "-exportcert", "-alias", "ca", "-rfc", "-file", caCertificate.toString(), "-keystore", ca.toString(),
                "-storepass", password);
        keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-validity", "7", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password);
        keytool(dir, "-certreq", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", password,
                "-file", request.toString());
        keytool(dir, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-infile",
                request.toString(), "-outfile", signed.toString(), "-rfc", "-ext", "san=ip:127.0.0.1,dns:localhost",
                "-validity", "7");
        keytool(dir, "-importcert", "-alias", "ca", "-file", caCertificate.toString(), "-keystore", keystore.toString(),
                "-storepass", password, "-noprompt");
        keytool(dir, "-importcert", "-alias", "broker", "-file", signed.toString(), "-keystore", keystore.toString(),
                "-storepass", password, "-noprompt");
    }

    private static void keytool(Path dir, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Path log = dir.resolve("keytool.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool " + arguments[0] + " failed: see " + log);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
