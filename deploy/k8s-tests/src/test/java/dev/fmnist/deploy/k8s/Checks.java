package dev.fmnist.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules every rendered overlay must follow. Each check returns the problems it found (empty:
 * fine), so that a test can show them all at once and a negative test can prove a rule bites.
 */
final class Checks {
    private static final Map<String, ServiceConfig> CONFIGS = new HashMap<>();

    private Checks() {
    }

    static synchronized ServiceConfig config(String service) {
        return CONFIGS.computeIfAbsent(service, ServiceConfig::load);
    }

    // ---- workloads: probes, resources, security ----

    static List<String> workloads(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Manifests.Pod pod : m.pods()) {
            JsonNode podSec = pod.spec().path("securityContext");
            boolean podNonRoot = podSec.path("runAsNonRoot").asBoolean(false);
            if (podSec.has("runAsUser") && podSec.path("runAsUser").asLong() == 0) {
                problems.add(pod.where() + ": pod runs as user 0");
            }
            if (pod.kind().equals("Job") || pod.kind().equals("CronJob")) {
                String restart = pod.spec().path("restartPolicy").asText();
                if (!restart.equals("Never") && !restart.equals("OnFailure")) {
                    problems.add(pod.where() + ": restartPolicy must be Never or OnFailure, is '" + restart + "'");
                }
            }
            for (JsonNode c : pod.containers()) {
                String where = pod.where() + " container " + c.path("name").asText();
                JsonNode sec = c.path("securityContext");
                if (!podNonRoot && !sec.path("runAsNonRoot").asBoolean(false)) {
                    problems.add(where + ": no runAsNonRoot: true (pod or container securityContext)");
                }
                if (sec.has("runAsUser") && sec.path("runAsUser").asLong() == 0) {
                    problems.add(where + ": runs as user 0");
                }
                if (!sec.has("allowPrivilegeEscalation") || sec.path("allowPrivilegeEscalation").asBoolean(true)) {
                    problems.add(where + ": allowPrivilegeEscalation is not false");
                }
                if (sec.path("privileged").asBoolean(false)) {
                    problems.add(where + ": privileged");
                }
                if (!sec.path("readOnlyRootFilesystem").asBoolean(false)) {
                    problems.add(where + ": readOnlyRootFilesystem is not true");
                }
                boolean dropsAll = false;
                for (JsonNode cap : sec.path("capabilities").path("drop")) {
                    dropsAll |= cap.asText().equals("ALL");
                }
                if (!dropsAll) {
                    problems.add(where + ": capabilities.drop lacks ALL");
                }
                problems.addAll(resources(where, c.path("resources")));
                String image = c.path("image").asText();
                if (image.isEmpty() || !image.substring(image.lastIndexOf('/') + 1).contains(":") || image.endsWith(":latest")) {
                    problems.add(where + ": image '" + image + "' has no fixed tag");
                }
                if (pod.kind().equals("Deployment")) {
                    problems.addAll(probes(where, c));
                }
            }
        }
        return problems;
    }

    private static List<String> resources(String where, JsonNode r) {
        List<String> problems = new ArrayList<>();
        for (String kind : new String[] {"requests", "limits"}) {
            for (String res : new String[] {"cpu", "memory"}) {
                if (!r.path(kind).hasNonNull(res)) {
                    problems.add(where + ": no resources." + kind + "." + res);
                }
            }
        }
        for (String res : new String[] {"cpu", "memory"}) {
            if (r.path("requests").hasNonNull(res) && r.path("limits").hasNonNull(res)
                    && Quantity.parse(r.path("requests").path(res).asText()).compareTo(Quantity.parse(r.path("limits").path(res).asText())) > 0) {
                problems.add(where + ": " + res + " request above its limit");
            }
        }
        return problems;
    }

    private static List<String> probes(String where, JsonNode c) {
        List<String> problems = new ArrayList<>();
        Set<String> portNames = new HashSet<>();
        Set<Integer> portNumbers = new HashSet<>();
        for (JsonNode p : c.path("ports")) {
            portNames.add(p.path("name").asText());
            portNumbers.add(p.path("containerPort").asInt());
        }
        String service = c.path("name").asText();
        if (Repo.SERVICES.contains(service) && !portNumbers.contains(config(service).httpPort())) {
            problems.add(where + ": no containerPort " + config(service).httpPort() + " (quarkus.http.port of " + service + ")");
        }
        Optional<Integer> grpcPort = Repo.SERVICES.contains(service) ? config(service).grpcPort() : Optional.empty();
        if (grpcPort.isPresent() && !portNumbers.contains(grpcPort.get())) {
            problems.add(where + ": no containerPort " + grpcPort.get() + " (quarkus.grpc.server.port of " + service + ")");
        }
        // inference-service: readiness on the models alone (health group `models`), so that neither a registry nor a
        // Kafka outage takes OIP serving out of its Service (docs/architecture.md, Readiness)
        Map<String, String> wanted = Map.of("readinessProbe",
                service.equals("inference-service") ? "/q/health/group/models" : "/q/health/ready",
                "livenessProbe", "/q/health/live");
        for (var e : wanted.entrySet()) {
            JsonNode probe = c.path(e.getKey());
            if (probe.isMissingNode()) {
                problems.add(where + ": no " + e.getKey());
                continue;
            }
            String path = probe.path("httpGet").path("path").asText();
            if (!path.equals(e.getValue())) {
                problems.add(where + ": " + e.getKey() + " path is '" + path + "', expected " + e.getValue());
            }
            JsonNode port = probe.path("httpGet").path("port");
            if (port.isTextual() ? !portNames.contains(port.asText()) : !portNumbers.contains(port.asInt())) {
                problems.add(where + ": " + e.getKey() + " port " + port + " is not a container port");
            }
        }
        // the startup probe: HTTP on /q/health, or the standard gRPC health service on the service's gRPC port
        JsonNode startup = c.path("startupProbe");
        if (startup.has("grpc")) {
            int port = startup.path("grpc").path("port").asInt();
            if (grpcPort.isEmpty() || port != grpcPort.get()) {
                problems.add(where + ": startupProbe grpc port " + port + " is not quarkus.grpc.server.port of " + service
                        + " (" + grpcPort.map(String::valueOf).orElse("none") + ")");
            }
        } else if (!startup.isMissingNode() && !startup.path("httpGet").path("path").asText().startsWith("/q/health")) {
            problems.add(where + ": startupProbe is not on /q/health");
        }
        return problems;
    }

    /** Native thread pools sized to the CPU limit: INFERENCE_THREADS, TRAINER_THREADS. */
    static List<String> threads(Manifests m) {
        List<String> problems = new ArrayList<>();
        Map<String, String> threadEnv = Map.of("inference-service", "INFERENCE_THREADS", "trainer-service", "TRAINER_THREADS");
        for (Manifests.Pod pod : m.pods()) {
            for (JsonNode c : pod.containers()) {
                String env = threadEnv.get(c.path("name").asText());
                if (env == null) {
                    continue;
                }
                String where = pod.where() + " container " + c.path("name").asText();
                Optional<String> value = envValue(c, env);
                JsonNode limit = c.path("resources").path("limits").path("cpu");
                if (value.isEmpty()) {
                    problems.add(where + ": " + env + " is not set (the native engines would size their pools themselves)");
                } else if (limit.isMissingNode() || Quantity.parse(limit.asText()).compareTo(new BigDecimal(value.get())) != 0) {
                    problems.add(where + ": " + env + "=" + value.get() + " but the CPU limit is " + limit.asText());
                }
            }
        }
        return problems;
    }

    static Optional<String> envValue(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name) && e.has("value")) {
                return Optional.of(e.path("value").asText());
            }
        }
        return Optional.empty();
    }

    // ---- environment variables against the services' configuration ----

    static List<String> environment(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Manifests.Pod pod : m.pods()) {
            for (JsonNode c : pod.containers()) {
                String service = c.path("name").asText();
                String where = pod.where() + " container " + service;
                if (!Repo.SERVICES.contains(service)) {
                    problems.add(where + ": container name is none of the services " + Repo.SERVICES);
                    continue;
                }
                Set<String> allowed = config(service).allowedEnv();
                Map<String, String> env = effectiveEnv(m, c);
                for (String name : env.keySet()) {
                    if (!allowed.contains(name)) {
                        problems.add(where + ": environment variable " + name
                                + " is no configuration key of " + service + " (application.properties, @ConfigMapping) "
                                + "nor a standard Quarkus key, a variable its code reads or one of run-java.sh");
                    }
                }
                for (String needed : List.of("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_DATASOURCE_JDBC_URL",
                        "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")) {
                    if (!env.containsKey(needed)) {
                        problems.add(where + ": " + needed + " is not set (env or envFrom)");
                    }
                }
                String provider = env.get("INFERENCE_EXECUTION_PROVIDER");
                if (provider != null && !Set.of("auto", "cuda", "cpu").contains(provider)) {
                    problems.add(where + ": INFERENCE_EXECUTION_PROVIDER=" + provider + " is none of auto, cuda, cpu");
                }
            }
        }
        return problems;
    }

    /** env and envFrom of a container, name to value ("" where it comes from a Secret or is not literal). */
    static Map<String, String> effectiveEnv(Manifests m, JsonNode c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : c.path("envFrom")) {
            String prefix = from.path("prefix").asText("");
            if (from.has("configMapRef")) {
                m.find("ConfigMap", from.path("configMapRef").path("name").asText())
                        .ifPresent(cm -> cm.path("data").fields().forEachRemaining(e -> env.put(prefix + e.getKey(), e.getValue().asText())));
            }
            if (from.has("secretRef")) {
                m.find("Secret", from.path("secretRef").path("name").asText())
                        .ifPresent(s -> s.path("data").fieldNames().forEachRemaining(k -> env.put(prefix + k, "")));
            }
        }
        for (JsonNode e : c.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText(""));
        }
        return env;
    }

    // ---- references: Secrets, ConfigMaps, PVCs, Services, selectors ----

    /**
     * @param external Secrets created outside the manifests (name to the keys they must hold), as the README
     *                 documents them; everything else must be rendered.
     */
    static List<String> references(Manifests m, Map<String, Set<String>> documented) {
        List<String> problems = new ArrayList<>();
        // and the Secrets Strimzi creates: the cluster CA certificate, one per SCRAM KafkaUser
        Map<String, Set<String>> external = new LinkedHashMap<>(documented);
        external.putAll(KafkaSecurityChecks.strimziSecrets(m));
        for (Manifests.Pod pod : m.pods()) {
            for (JsonNode v : pod.spec().path("volumes")) {
                if (v.has("secret")) {
                    String name = v.path("secret").path("secretName").asText();
                    secret(m, external, pod.where(), name, null, problems);
                    for (JsonNode item : v.path("secret").path("items")) {
                        secret(m, external, pod.where() + " volume " + v.path("name").asText(), name, item.path("key").asText(), problems);
                    }
                }
                if (v.has("configMap")) {
                    configMap(m, pod.where(), v.path("configMap").path("name").asText(), null, problems);
                }
                if (v.has("persistentVolumeClaim") && m.find("PersistentVolumeClaim",
                        v.path("persistentVolumeClaim").path("claimName").asText()).isEmpty()) {
                    problems.add(pod.where() + ": PersistentVolumeClaim " + v.path("persistentVolumeClaim").path("claimName").asText() + " does not exist");
                }
            }
            for (JsonNode c : pod.containers()) {
                String where = pod.where() + " container " + c.path("name").asText();
                for (JsonNode from : c.path("envFrom")) {
                    if (from.has("configMapRef")) {
                        configMap(m, where, from.path("configMapRef").path("name").asText(), null, problems);
                    }
                    if (from.has("secretRef")) {
                        secret(m, external, where, from.path("secretRef").path("name").asText(), null, problems);
                    }
                }
                for (JsonNode e : c.path("env")) {
                    JsonNode ref = e.path("valueFrom");
                    if (ref.has("secretKeyRef")) {
                        secret(m, external, where, ref.path("secretKeyRef").path("name").asText(), ref.path("secretKeyRef").path("key").asText(), problems);
                    }
                    if (ref.has("configMapKeyRef")) {
                        configMap(m, where, ref.path("configMapKeyRef").path("name").asText(), ref.path("configMapKeyRef").path("key").asText(), problems);
                    }
                }
                Map<String, String> env = effectiveEnv(m, c);
                if (env.containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
                    for (String hostPort : env.get("KAFKA_BOOTSTRAP_SERVERS").split(",")) {
                        service(m, where + " KAFKA_BOOTSTRAP_SERVERS", hostPort, problems);
                    }
                }
                if (env.containsKey("QUARKUS_DATASOURCE_JDBC_URL")) {
                    Matcher jdbc = Pattern.compile("jdbc:postgresql://([^/?]+)").matcher(env.get("QUARKUS_DATASOURCE_JDBC_URL"));
                    if (jdbc.find()) {
                        service(m, where + " QUARKUS_DATASOURCE_JDBC_URL", jdbc.group(1), problems);
                    } else {
                        problems.add(where + ": QUARKUS_DATASOURCE_JDBC_URL is no jdbc:postgresql:// URL");
                    }
                }
            }
        }
        for (ObjectNode cluster : m.ofKind("Cluster")) {
            JsonNode secret = cluster.path("spec").path("bootstrap").path("initdb").path("secret").path("name");
            if (!secret.isMissingNode()) {
                String where = "Cluster/" + Manifests.name(cluster);
                secret(m, external, where, secret.asText(), "username", problems);
                secret(m, external, where, secret.asText(), "password", problems);
                m.find("Secret", secret.asText()).ifPresent(s -> {
                    if (!s.path("type").asText().equals("kubernetes.io/basic-auth")) {
                        problems.add(where + ": Secret " + secret.asText() + " must have type kubernetes.io/basic-auth (CloudNativePG)");
                    }
                });
            }
        }
        for (ObjectNode ta : m.ofKind("TriggerAuthentication")) {
            String where = "TriggerAuthentication/" + Manifests.name(ta);
            for (JsonNode ref : ta.path("spec").path("secretTargetRef")) {
                secret(m, external, where, ref.path("name").asText(), ref.path("key").asText(), problems);
            }
            for (JsonNode ref : ta.path("spec").path("configMapTargetRef")) {
                configMap(m, where, ref.path("name").asText(), ref.path("key").asText(), problems);
            }
        }
        for (ObjectNode so : m.ofKind("ScaledObject")) {
            for (JsonNode t : so.path("spec").path("triggers")) {
                JsonNode auth = t.path("authenticationRef");
                if (!auth.isMissingNode() && m.find("TriggerAuthentication", auth.path("name").asText()).isEmpty()) {
                    problems.add("ScaledObject/" + Manifests.name(so) + ": TriggerAuthentication " + auth.path("name").asText() + " does not exist");
                }
            }
            String target = so.path("spec").path("scaleTargetRef").path("name").asText();
            if (m.find("Deployment", target).isEmpty()) {
                problems.add("ScaledObject/" + Manifests.name(so) + ": target Deployment " + target + " does not exist");
            }
            for (JsonNode t : so.path("spec").path("triggers")) {
                for (String hostPort : t.path("metadata").path("bootstrapServers").asText().split(",")) {
                    if (!hostPort.isBlank()) {
                        service(m, "ScaledObject/" + Manifests.name(so) + " bootstrapServers", hostPort, problems);
                    }
                }
            }
        }
        for (ObjectNode svc : m.ofKind("Service")) {
            String where = "Service/" + Manifests.name(svc);
            List<Manifests.Pod> backends = m.pods().stream()
                    .filter(p -> p.kind().equals("Deployment") && Manifests.selects(svc.path("spec").path("selector"), p.labels())).toList();
            if (backends.isEmpty()) {
                problems.add(where + ": its selector matches no Deployment's pods");
            }
            for (JsonNode port : svc.path("spec").path("ports")) {
                JsonNode target = port.path("targetPort");
                for (Manifests.Pod p : backends) {
                    boolean found = p.containers().stream().flatMap(c -> stream(c.path("ports")))
                            .anyMatch(cp -> target.isTextual() ? cp.path("name").asText().equals(target.asText())
                                    : cp.path("containerPort").asInt() == (target.isMissingNode() ? port.path("port").asInt() : target.asInt()));
                    if (!found) {
                        problems.add(where + ": targetPort " + target + " is no container port of " + p.where());
                    }
                }
            }
        }
        for (ObjectNode sm : m.ofKind("ServiceMonitor")) {
            String where = "ServiceMonitor/" + Manifests.name(sm);
            List<ObjectNode> services = m.ofKind("Service").stream()
                    .filter(s -> Manifests.selects(sm.path("spec").path("selector").path("matchLabels"),
                            Manifests.labels(s.path("metadata").path("labels")))).toList();
            if (services.isEmpty()) {
                problems.add(where + ": its selector matches no Service");
            }
            for (JsonNode ep : sm.path("spec").path("endpoints")) {
                for (ObjectNode s : services) {
                    if (stream(s.path("spec").path("ports")).noneMatch(p -> p.path("name").asText().equals(ep.path("port").asText()))) {
                        problems.add(where + ": Service/" + Manifests.name(s) + " has no port named " + ep.path("port").asText());
                    }
                }
                if (!ep.path("path").asText().equals("/q/metrics")) {
                    problems.add(where + ": scrapes " + ep.path("path").asText() + ", the services serve /q/metrics");
                }
            }
        }
        for (ObjectNode pdb : m.ofKind("PodDisruptionBudget")) {
            if (m.pods().stream().noneMatch(p -> p.kind().equals("Deployment")
                    && Manifests.selects(pdb.path("spec").path("selector").path("matchLabels"), p.labels()))) {
                problems.add("PodDisruptionBudget/" + Manifests.name(pdb) + ": its selector matches no Deployment's pods");
            }
        }
        for (Manifests.Pod p : m.pods()) {
            if (p.kind().equals("Deployment") && m.ofKind("PodDisruptionBudget").stream()
                    .noneMatch(pdb -> Manifests.selects(pdb.path("spec").path("selector").path("matchLabels"), p.labels()))) {
                problems.add(p.where() + ": no PodDisruptionBudget");
            }
            if (p.kind().equals("Deployment") && m.ofKind("ScaledObject").stream()
                    .noneMatch(so -> so.path("spec").path("scaleTargetRef").path("name").asText().equals(p.name()))) {
                problems.add(p.where() + ": no KEDA ScaledObject");
            }
        }
        return problems;
    }

    private static void secret(Manifests m, Map<String, Set<String>> external, String where, String name, String key, List<String> problems) {
        Optional<ObjectNode> s = m.find("Secret", name);
        if (s.isPresent()) {
            if (key != null && !s.get().path("data").has(key) && !s.get().path("stringData").has(key)) {
                problems.add(where + ": Secret " + name + " has no key " + key);
            }
        } else if (external.containsKey(name)) {
            if (key != null && !external.get(name).contains(key)) {
                problems.add(where + ": Secret " + name + " (made outside the manifests: by hand or by an operator) has no key " + key);
            }
        } else {
            problems.add(where + ": Secret " + name + " is neither rendered nor documented as created beforehand");
        }
    }

    private static void configMap(Manifests m, String where, String name, String key, List<String> problems) {
        Optional<ObjectNode> cm = m.find("ConfigMap", name);
        if (cm.isEmpty()) {
            problems.add(where + ": ConfigMap " + name + " does not exist");
        } else if (key != null && !cm.get().path("data").has(key)) {
            problems.add(where + ": ConfigMap " + name + " has no key " + key);
        }
    }

    /** Services that exist once the manifests are applied: rendered ones and those the operators create. */
    static Map<String, Set<Integer>> knownServices(Manifests m) {
        Map<String, Set<Integer>> out = new LinkedHashMap<>();
        for (ObjectNode s : m.ofKind("Service")) {
            Set<Integer> ports = new TreeSet<>();
            s.path("spec").path("ports").forEach(p -> ports.add(p.path("port").asInt()));
            out.put(Manifests.name(s), ports);
        }
        for (ObjectNode k : m.ofKind("Kafka")) {
            Set<Integer> ports = new TreeSet<>();
            k.path("spec").path("kafka").path("listeners").forEach(l -> ports.add(l.path("port").asInt()));
            out.put(Manifests.name(k) + "-kafka-bootstrap", ports);
            out.put(Manifests.name(k) + "-kafka-brokers", ports);
        }
        for (ObjectNode c : m.ofKind("Cluster")) {
            for (String suffix : List.of("-rw", "-ro", "-r")) {
                out.put(Manifests.name(c) + suffix, Set.of(5432));
            }
        }
        return out;
    }

    private static void service(Manifests m, String where, String hostPort, List<String> problems) {
        String[] hp = hostPort.strip().split(":");
        String[] labels = hp[0].split("\\.");
        Map<String, Set<Integer>> known = knownServices(m);
        if (!known.containsKey(labels[0])) {
            problems.add(where + ": host " + hp[0] + " is no Service of the manifests or their operators " + known.keySet());
            return;
        }
        if (labels.length > 1 && !labels[1].equals(Repo.NAMESPACE)) {
            problems.add(where + ": host " + hp[0] + " names namespace " + labels[1] + ", the platform runs in " + Repo.NAMESPACE);
        }
        if (hp.length > 1 && !known.get(labels[0]).contains(Integer.parseInt(hp[1]))) {
            problems.add(where + ": Service " + labels[0] + " has no port " + hp[1] + " " + known.get(labels[0]));
        }
    }

    /** Every object of the namespace is in it (kustomize applies `namespace` per kustomization). */
    static List<String> namespaces(Manifests m) {
        Set<String> clusterScoped = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition");
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ObjectNode d : m.docs()) {
            String id = Manifests.kind(d) + "/" + Manifests.name(d);
            if (!seen.add(id)) {
                problems.add(id + ": defined twice");
            }
            if (!clusterScoped.contains(Manifests.kind(d)) && !Repo.NAMESPACE.equals(d.path("metadata").path("namespace").asText())) {
                problems.add(id + ": namespace is '" + d.path("metadata").path("namespace").asText() + "', expected " + Repo.NAMESPACE);
            }
        }
        return problems;
    }

    static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out.stream();
    }
}
