package dev.fmnist.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fmnist.common.kafka.KafkaGrants;
import dev.fmnist.common.messaging.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Authenticated Kafka on Kubernetes: the listeners require TLS and SCRAM-SHA-512, the brokers enforce ACLs, each
 * service logs in as its own KafkaUser with exactly common's {@link KafkaGrants}, which in turn are exactly what
 * the services' application.properties and access checks name, the credentials and CA come from the Secrets
 * Strimzi creates, and KEDA's lag scaler logs in too. Each check returns the problems it found (empty: fine).
 */
final class KafkaSecurityChecks {
    static final String SCRAM = "scram-sha-512";
    /** Keys of the Secret Strimzi's User Operator writes for a SCRAM-SHA-512 KafkaUser (named after the user). */
    static final Set<String> USER_SECRET_KEYS = Set.of("password", "sasl.jaas.config");
    /** Keys of the cluster CA certificate Secret {@code <cluster>-cluster-ca-cert} Strimzi creates with a Kafka. */
    static final Set<String> CLUSTER_CA_KEYS = Set.of("ca.crt", "ca.p12", "ca.password");

    private static final Pattern NEED = Pattern.compile("Need\\.(read|write)\\(\\s*Topics\\.([A-Z_]+)\\s*\\)");

    private KafkaSecurityChecks() {
    }

    /** One ACL of a KafkaUser, or a grant of common's table, in Strimzi's terms. */
    record Acl(String resourceType, String name, String patternType, String operation) {
        @Override
        public String toString() {
            return operation + " on " + resourceType + " " + name + (patternType.equals("literal") ? "" : " (" + patternType + ")");
        }
    }

    // ---- the Secrets the operators create ----

    /** Secrets Strimzi creates for the rendered Kafkas and KafkaUsers: name to keys. */
    static Map<String, Set<String>> strimziSecrets(Manifests m) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (ObjectNode k : m.ofKind("Kafka")) {
            out.put(clusterCaSecret(Manifests.name(k)), CLUSTER_CA_KEYS);
        }
        for (ObjectNode u : m.ofKind("KafkaUser")) {
            if (SCRAM.equals(u.path("spec").path("authentication").path("type").asText())) {
                out.put(Manifests.name(u), USER_SECRET_KEYS);
            }
        }
        return out;
    }

    static String clusterCaSecret(String cluster) {
        return cluster + "-cluster-ca-cert";
    }

    // ---- the brokers ----

    /** Every listener TLS with SCRAM-SHA-512 logins (no plaintext, no anonymous one), ACLs enforced. */
    static List<String> listeners(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode k : m.ofKind("Kafka")) {
            String where = "Kafka/" + Manifests.name(k);
            JsonNode kafka = k.path("spec").path("kafka");
            for (JsonNode l : kafka.path("listeners")) {
                String listener = where + " listener " + l.path("name").asText() + " (" + l.path("port").asInt() + ")";
                if (!l.path("tls").asBoolean(false)) {
                    problems.add(listener + ": not TLS (tls: true), credentials and records would cross the network in clear");
                }
                if (!SCRAM.equals(l.path("authentication").path("type").asText())) {
                    problems.add(listener + ": authentication is '" + l.path("authentication").path("type").asText("none")
                            + "', the services log in with " + SCRAM);
                }
            }
            if (!"simple".equals(kafka.path("authorization").path("type").asText())) {
                problems.add(where + ": spec.kafka.authorization is not {type: simple}: the KafkaUsers' ACLs would not be enforced");
            }
        }
        for (ObjectNode u : m.ofKind("KafkaUser")) {
            String where = "KafkaUser/" + Manifests.name(u);
            if (!SCRAM.equals(u.path("spec").path("authentication").path("type").asText())) {
                problems.add(where + ": authentication is not " + SCRAM + " (the listener's)");
            }
            if (!"simple".equals(u.path("spec").path("authorization").path("type").asText())) {
                problems.add(where + ": authorization is not {type: simple}");
            }
            String cluster = u.path("metadata").path("labels").path("strimzi.io/cluster").asText();
            if (m.find("Kafka", cluster).isEmpty()) {
                problems.add(where + ": label strimzi.io/cluster=" + cluster + " names no Kafka");
            }
        }
        return problems;
    }

    // ---- the services' clients ----

    /**
     * Each service container: SASL_SSL with SCRAM-SHA-512, {@code KAFKA_SASL_JAAS_CONFIG} from the Secret of a
     * KafkaUser of its own (key sasl.jaas.config), and a truststore that is the cluster CA Secret's (ca.p12 with
     * ca.password, or ca.crt as PEM) mounted where {@code KAFKA_SSL_TRUSTSTORE_LOCATION} points.
     */
    static List<String> clients(Manifests m) {
        List<String> problems = new ArrayList<>();
        Map<String, String> userOfService = new LinkedHashMap<>();
        Map<String, String> serviceOfUser = new LinkedHashMap<>();
        for (Manifests.Pod pod : m.pods()) {
            for (JsonNode c : pod.containers()) {
                String service = c.path("name").asText();
                String where = pod.where() + " container " + service;
                Map<String, String> env = Checks.effectiveEnv(m, c);
                expect(where, env, "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", problems);
                expect(where, env, "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", problems);
                Optional<String[]> jaas = secretRef(c, "KAFKA_SASL_JAAS_CONFIG");
                if (jaas.isEmpty()) {
                    problems.add(where + ": KAFKA_SASL_JAAS_CONFIG does not come from a Secret (secretKeyRef)");
                } else {
                    String user = jaas.get()[0];
                    if (!"sasl.jaas.config".equals(jaas.get()[1])) {
                        problems.add(where + ": KAFKA_SASL_JAAS_CONFIG from key " + jaas.get()[1] + " of Secret " + user
                                + ", Strimzi's user Secret holds the JAAS line under sasl.jaas.config");
                    }
                    if (m.find("KafkaUser", user).isEmpty()) {
                        problems.add(where + ": KAFKA_SASL_JAAS_CONFIG from Secret " + user + ", which is no KafkaUser's");
                    }
                    String before = userOfService.putIfAbsent(service, user);
                    if (before != null && !before.equals(user)) {
                        problems.add(where + ": logs in as " + user + ", another workload of " + service + " as " + before);
                    }
                    String other = serviceOfUser.putIfAbsent(user, service);
                    if (other != null && !other.equals(service)) {
                        problems.add(where + ": KafkaUser " + user + " is also " + other + "'s: one principal per service");
                    }
                }
                problems.addAll(truststore(m, pod, c, where, env));
            }
        }
        return problems;
    }

    private static List<String> truststore(Manifests m, Manifests.Pod pod, JsonNode c, String where, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String type = env.getOrDefault("KAFKA_SSL_TRUSTSTORE_TYPE", "JKS");
        String location = env.get("KAFKA_SSL_TRUSTSTORE_LOCATION");
        if (location == null || location.isEmpty()) {
            problems.add(where + ": KAFKA_SSL_TRUSTSTORE_LOCATION is not set: the JVM's default CAs never signed Strimzi's broker certificates");
            return problems;
        }
        String wantedKey = switch (type) {
            case "PKCS12" -> "ca.p12";
            case "PEM" -> "ca.crt";
            default -> null;
        };
        if (wantedKey == null) {
            problems.add(where + ": KAFKA_SSL_TRUSTSTORE_TYPE=" + type + ", Strimzi's cluster CA Secret has PKCS12 (ca.p12) and PEM (ca.crt)");
            return problems;
        }
        Optional<String[]> file = secretFile(pod, c, location);
        Set<String> clusters = new TreeSet<>();
        m.ofKind("Kafka").forEach(k -> clusters.add(clusterCaSecret(Manifests.name(k))));
        if (file.isEmpty()) {
            problems.add(where + ": KAFKA_SSL_TRUSTSTORE_LOCATION " + location + " is no file of a mounted Secret");
        } else if (!clusters.contains(file.get()[0]) || !wantedKey.equals(file.get()[1])) {
            problems.add(where + ": the truststore " + location + " is key " + file.get()[1] + " of Secret " + file.get()[0]
                    + ", expected " + wantedKey + " of the cluster CA Secret " + clusters);
        }
        if (type.equals("PKCS12")) {
            Optional<String[]> password = secretRef(c, "KAFKA_SSL_TRUSTSTORE_PASSWORD");
            if (password.isEmpty() || !clusters.contains(password.get()[0]) || !password.get()[1].equals("ca.password")) {
                problems.add(where + ": KAFKA_SSL_TRUSTSTORE_PASSWORD must come from key ca.password of the cluster CA Secret " + clusters);
            }
        }
        return problems;
    }

    private static void expect(String where, Map<String, String> env, String name, String value, List<String> problems) {
        if (!value.equals(env.get(name))) {
            problems.add(where + ": " + name + " is " + (env.containsKey(name) ? "'" + env.get(name) + "'" : "not set") + ", the listener needs " + value);
        }
    }

    /** The Secret name and key an env entry takes its value from. */
    static Optional<String[]> secretRef(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (e.path("name").asText().equals(name) && !ref.isMissingNode()) {
                return Optional.of(new String[] {ref.path("name").asText(), ref.path("key").asText()});
            }
        }
        return Optional.empty();
    }

    /** The Secret and key whose file {@code path} is in the container (a Secret volume mounted above it). */
    static Optional<String[]> secretFile(Manifests.Pod pod, JsonNode container, String path) {
        for (JsonNode mount : container.path("volumeMounts")) {
            String dir = mount.path("mountPath").asText();
            if (!path.startsWith(dir.endsWith("/") ? dir : dir + "/")) {
                continue;
            }
            String file = path.substring(dir.length()).replaceFirst("^/", "");
            for (JsonNode v : pod.spec().path("volumes")) {
                if (!v.path("name").asText().equals(mount.path("name").asText()) || !v.has("secret")) {
                    continue;
                }
                JsonNode items = v.path("secret").path("items");
                if (items.isMissingNode() || items.isEmpty()) {
                    return Optional.of(new String[] {v.path("secret").path("secretName").asText(), file});
                }
                for (JsonNode item : items) {
                    if (item.path("path").asText().equals(file)) {
                        return Optional.of(new String[] {v.path("secret").path("secretName").asText(), item.path("key").asText()});
                    }
                }
            }
        }
        return Optional.empty();
    }

    // ---- ACLs ----

    /** The ACLs of a KafkaUser as written (each operation of a rule on its own). */
    static Set<Acl> acls(JsonNode kafkaUser) {
        Set<Acl> out = new TreeSet<>(java.util.Comparator.comparing(Acl::toString));
        for (JsonNode rule : kafkaUser.path("spec").path("authorization").path("acls")) {
            if (!rule.path("type").asText("allow").equals("allow")) {
                continue;
            }
            JsonNode r = rule.path("resource");
            for (JsonNode op : rule.path("operations")) {
                out.add(new Acl(r.path("type").asText(), r.path("name").asText(), r.path("patternType").asText("literal"), op.asText()));
            }
        }
        return out;
    }

    /** common's grants of a service in Strimzi's terms. */
    static Set<Acl> acls(KafkaGrants.Grant g) {
        Set<Acl> out = new TreeSet<>(java.util.Comparator.comparing(Acl::toString));
        g.reads().forEach(t -> out.add(new Acl("topic", t, "literal", "Read")));
        g.writes().forEach(t -> out.add(new Acl("topic", t, "literal", "Write")));
        g.groups().forEach(n -> out.add(new Acl("group", n, "literal", "Read")));
        g.groupPrefixes().forEach(n -> out.add(new Acl("group", n, "prefix", "Read")));
        return out;
    }

    /** The KafkaUser each service logs in as carries exactly common's grants of that service: no ACL missing, none extra. */
    static List<String> serviceAcls(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Manifests.Pod pod : m.pods()) {
            for (JsonNode c : pod.containers()) {
                String service = c.path("name").asText();
                Optional<String[]> jaas = secretRef(c, "KAFKA_SASL_JAAS_CONFIG");
                if (jaas.isEmpty() || m.find("KafkaUser", jaas.get()[0]).isEmpty() || !KafkaGrants.SERVICES.containsKey(service)) {
                    continue; // clients() reports it
                }
                String user = jaas.get()[0];
                Set<Acl> actual = acls(m.get("KafkaUser", user));
                Set<Acl> wanted = acls(KafkaGrants.of(service));
                String where = pod.where() + ": KafkaUser " + user + " (" + service + ")";
                wanted.stream().filter(a -> !actual.contains(a))
                        .forEach(a -> problems.add(where + " lacks " + a + " (common's KafkaGrants)"));
                actual.stream().filter(a -> !wanted.contains(a))
                        .forEach(a -> problems.add(where + " has " + a + ", which common's KafkaGrants do not give " + service));
            }
        }
        return problems;
    }

    /**
     * common's grants against the services' own sources: READ on every topic of an incoming channel and on its
     * consumer group (by prefix where the group id ends in a {@code ${...}} expression, one group per instance),
     * WRITE on every topic of an outgoing channel, of a {@code *-topic} producer key and of a {@code Need.write}
     * in the code's access checks, READ on every {@code Need.read}; and nothing the sources do not name.
     */
    static List<String> grantsMatchServices(Map<String, ServiceConfig> configs, Map<String, String> sources) {
        List<String> problems = new ArrayList<>();
        for (var e : configs.entrySet()) {
            String service = e.getKey();
            Set<Acl> named = namedBy(e.getValue(), sources.getOrDefault(service, ""));
            if (!KafkaGrants.SERVICES.containsKey(service)) {
                problems.add(service + " has no entry in common's KafkaGrants");
                continue;
            }
            Set<Acl> granted = acls(KafkaGrants.of(service));
            named.stream().filter(a -> !granted.contains(a)).forEach(a -> problems.add(service + " needs " + a
                    + " (its application.properties or access check), common's KafkaGrants lack it"));
            granted.stream().filter(a -> !named.contains(a)).forEach(a -> problems.add("common's KafkaGrants give " + service
                    + " " + a + ", which neither its application.properties nor its code name"));
        }
        return problems;
    }

    /** What a service's sources say it does on Kafka, as the ACLs that allows. */
    static Set<Acl> namedBy(ServiceConfig config, String javaSources) {
        Set<Acl> out = new TreeSet<>(java.util.Comparator.comparing(Acl::toString));
        for (ServiceConfig.Channel ch : config.incoming().values()) {
            out.add(new Acl("topic", ch.topic(), "literal", "Read"));
            int expression = ch.groupId().indexOf("${");
            out.add(expression < 0 ? new Acl("group", ch.groupId(), "literal", "Read")
                    : new Acl("group", ch.groupId().substring(0, expression), "prefix", "Read"));
        }
        String outgoing = "mp.messaging.outgoing.";
        for (String k : config.keys()) {
            if (k.startsWith(outgoing) && k.endsWith(".topic") || k.endsWith("-topic")) {
                config.prod(k).ifPresent(t -> out.add(new Acl("topic", t, "literal", "Write")));
            }
        }
        Matcher need = NEED.matcher(javaSources);
        while (need.find()) {
            out.add(new Acl("topic", topicConstant(need.group(2)), "literal", need.group(1).equals("read") ? "Read" : "Write"));
        }
        return out;
    }

    private static String topicConstant(String field) {
        try {
            return (String) Topics.class.getField(field).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Topics." + field + " is no topic constant of common", e);
        }
    }

    /** The main Java sources of a service, concatenated (its access checks name the topics it needs). */
    static String javaSources(String service) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(Repo.service(service).resolve("src/main/java"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                sb.append(Repo.read(p)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    // ---- KEDA ----

    /**
     * Each Kafka trigger logs in through a TriggerAuthentication as a KafkaUser over TLS: sasl scram_sha512, tls
     * enable, the user name equal to a KafkaUser's, its password from that user's Secret, the CA (PEM) from the
     * cluster CA Secret; and that user may DESCRIBE the trigger's topic and consumer group (lag needs no more).
     */
    static List<String> keda(Manifests m) {
        List<String> problems = new ArrayList<>();
        Set<String> caSecrets = new TreeSet<>();
        m.ofKind("Kafka").forEach(k -> caSecrets.add(clusterCaSecret(Manifests.name(k))));
        for (ObjectNode so : m.ofKind("ScaledObject")) {
            for (JsonNode t : so.path("spec").path("triggers")) {
                if (!t.path("type").asText().equals("kafka")) {
                    continue;
                }
                String where = "ScaledObject/" + Manifests.name(so) + " kafka trigger";
                String authName = t.path("authenticationRef").path("name").asText();
                if (!t.path("authenticationRef").path("kind").asText("TriggerAuthentication").equals("TriggerAuthentication")) {
                    problems.add(where + ": authenticationRef is no TriggerAuthentication of the namespace");
                    continue;
                }
                Optional<ObjectNode> auth = m.find("TriggerAuthentication", authName);
                if (auth.isEmpty()) {
                    problems.add(where + ": no authenticationRef to a rendered TriggerAuthentication ('" + authName
                            + "'): the scaler could not log in to the TLS + SCRAM listener");
                    continue;
                }
                Map<String, Param> params = params(m, t.path("metadata"), auth.get());
                literal(where, params, "sasl", "scram_sha512", problems);
                literal(where, params, "tls", "enable", problems);
                Param ca = params.get("ca");
                if (ca == null || ca.secret() == null || !caSecrets.contains(ca.secret()) || !ca.key().equals("ca.crt")) {
                    problems.add(where + ": ca must come from key ca.crt of the cluster CA Secret " + caSecrets + " (KEDA wants PEM)");
                }
                Param password = params.get("password");
                Param username = params.get("username");
                if (password == null || password.secret() == null || m.find("KafkaUser", password.secret()).isEmpty()
                        || !password.key().equals("password")) {
                    problems.add(where + ": password must come from key password of a KafkaUser's Secret");
                    continue;
                }
                String user = password.secret();
                if (username == null || !user.equals(username.value())) {
                    problems.add(where + ": username is " + (username == null ? "not given" : "'" + username.value() + "'")
                            + ", the password is KafkaUser " + user + "'s");
                }
                Set<Acl> acls = acls(m.get("KafkaUser", user));
                String topic = t.path("metadata").path("topic").asText();
                String group = t.path("metadata").path("consumerGroup").asText();
                if (!describes(acls, "topic", topic)) {
                    problems.add(where + ": KafkaUser " + user + " may not DESCRIBE topic " + topic + " (the lag needs its offsets)");
                }
                if (!describes(acls, "group", group)) {
                    problems.add(where + ": KafkaUser " + user + " may not DESCRIBE group " + group + " (the lag needs its committed offsets)");
                }
            }
        }
        return problems;
    }

    /** A parameter of a KEDA trigger: a literal value or a Secret's key. */
    record Param(String value, String secret, String key) {
    }

    private static Map<String, Param> params(Manifests m, JsonNode metadata, JsonNode auth) {
        Map<String, Param> out = new LinkedHashMap<>();
        metadata.fields().forEachRemaining(e -> out.put(e.getKey(), new Param(e.getValue().asText(), null, null)));
        for (JsonNode ref : auth.path("spec").path("configMapTargetRef")) {
            String value = m.find("ConfigMap", ref.path("name").asText())
                    .map(cm -> cm.path("data").path(ref.path("key").asText()).asText(null)).orElse(null);
            out.put(ref.path("parameter").asText(), new Param(value, null, null));
        }
        for (JsonNode ref : auth.path("spec").path("secretTargetRef")) {
            out.put(ref.path("parameter").asText(), new Param(null, ref.path("name").asText(), ref.path("key").asText()));
        }
        return out;
    }

    private static void literal(String where, Map<String, Param> params, String name, String value, List<String> problems) {
        Param p = params.get(name);
        if (p == null || !value.equals(p.value())) {
            problems.add(where + ": " + name + " is " + (p == null ? "not given" : "'" + p.value() + "'") + ", the listener needs " + value);
        }
    }

    /** DESCRIBE (or an operation that implies it: READ, WRITE, ALL...) on a resource, literally or by prefix. */
    private static boolean describes(Set<Acl> acls, String type, String name) {
        return acls.stream().anyMatch(a -> a.resourceType().equals(type)
                && (a.patternType().equals("prefix") ? name.startsWith(a.name()) : a.name().equals(name) || a.name().equals("*"))
                && Set.of("Describe", "Read", "Write", "Delete", "Alter", "All").contains(a.operation()));
    }
}
