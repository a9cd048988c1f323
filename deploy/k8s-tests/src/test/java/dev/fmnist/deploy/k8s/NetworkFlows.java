package dev.fmnist.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small evaluator of Kubernetes NetworkPolicy semantics (matchLabels selectors, ports, ipBlock) over
 * the rendered manifests plus the policy Strimzi generates for each Kafka listener, and the flows of
 * docs/architecture.md ("Network flows") that must, or must not, get through.
 */
final class NetworkFlows {
    /** A pod (namespace and labels) or an address outside the cluster (ip). */
    record Endpoint(String id, String namespace, Map<String, String> labels, String ip) {
        boolean isPod() {
            return namespace != null;
        }
    }

    /** One expectation: from, to, port, protocol, and whether it must get through. */
    record Flow(String from, String to, int port, String protocol, boolean allowed) {
        @Override
        public String toString() {
            return from + " -> " + to + ":" + port + "/" + protocol + (allowed ? " must be allowed" : " must be denied");
        }
    }

    private NetworkFlows() {
    }

    /** The flows of docs/architecture.md ("Network flows"), and some that must stay closed. */
    static List<Flow> expected() {
        List<Flow> f = new ArrayList<>();
        for (String app : List.of("inference-service", "explainer-service", "fmnist-train", "fmnist-retrain")) {
            f.add(new Flow(app, "kafka", 9093, "TCP", true));
            f.add(new Flow(app, "postgres", 5432, "TCP", true));
            f.add(new Flow(app, "kube-dns", 53, "UDP", true));
            f.add(new Flow(app, "postgres", 8000, "TCP", false));
        }
        f.add(new Flow("client", "inference-service", 8082, "TCP", true));
        f.add(new Flow("client", "inference-service", 8085, "TCP", true));
        f.add(new Flow("client", "explainer-service", 8083, "TCP", true));
        f.add(new Flow("prometheus", "inference-service", 8082, "TCP", true));
        f.add(new Flow("prometheus", "explainer-service", 8083, "TCP", true));
        f.add(new Flow("keda-operator", "kafka", 9093, "TCP", true));
        // the explainer's scaling query on the work queue (explainer/scaledobject.yaml)
        f.add(new Flow("keda-operator", "postgres", 5432, "TCP", true));
        f.add(new Flow("cnpg-operator", "postgres", 8000, "TCP", true));
        // the trainer's one-time dataset download from the official location
        f.add(new Flow("fmnist-train", "internet", 80, "TCP", true));
        f.add(new Flow("fmnist-retrain", "internet", 443, "TCP", true));
        // closed
        f.add(new Flow("intruder", "postgres", 5432, "TCP", false));
        f.add(new Flow("intruder", "kafka", 9093, "TCP", false));
        f.add(new Flow("client", "postgres", 5432, "TCP", false));
        f.add(new Flow("client", "kafka", 9093, "TCP", false));
        // the TLS + SCRAM listener 9093 is Kafka's only one: no way to the old plaintext port
        f.add(new Flow("inference-service", "kafka", 9092, "TCP", false));
        f.add(new Flow("keda-operator", "kafka", 9092, "TCP", false));
        f.add(new Flow("client", "fmnist-train", 8081, "TCP", false));
        f.add(new Flow("prometheus", "fmnist-train", 8081, "TCP", false));
        f.add(new Flow("inference-service", "explainer-service", 8083, "TCP", false));
        f.add(new Flow("explainer-service", "inference-service", 8082, "TCP", false));
        f.add(new Flow("explainer-service", "inference-service", 8085, "TCP", false));
        f.add(new Flow("fmnist-train", "inference-service", 8082, "TCP", false));
        f.add(new Flow("inference-service", "internet", 443, "TCP", false));
        f.add(new Flow("explainer-service", "internet", 443, "TCP", false));
        f.add(new Flow("fmnist-train", "private-address", 443, "TCP", false));
        return f;
    }

    static List<String> violations(Manifests m) {
        Map<String, Endpoint> endpoints = endpoints(m);
        List<ObjectNode> policies = policies(m);
        List<String> problems = new ArrayList<>();
        for (Flow flow : expected()) {
            Endpoint from = endpoints.get(flow.from());
            Endpoint to = endpoints.get(flow.to());
            if (from == null || to == null) {
                problems.add(flow + ": no such endpoint in the manifests (" + (from == null ? flow.from() : flow.to()) + ")");
                continue;
            }
            boolean allowed = allowed(policies, from, to, flow.port(), flow.protocol());
            if (allowed != flow.allowed()) {
                problems.add(flow + ", but it is " + (allowed ? "allowed" : "denied"));
            }
        }
        return problems;
    }

    static Map<String, Endpoint> endpoints(Manifests m) {
        Map<String, Endpoint> e = new LinkedHashMap<>();
        for (Manifests.Pod p : m.pods()) {
            e.put(p.name(), new Endpoint(p.name(), Repo.NAMESPACE, p.labels(), null));
        }
        for (ObjectNode k : m.ofKind("Kafka")) {
            String n = Manifests.name(k);
            e.put("kafka", new Endpoint("kafka", Repo.NAMESPACE, Map.of("strimzi.io/cluster", n, "strimzi.io/kind", "Kafka",
                    "strimzi.io/name", n + "-kafka", "strimzi.io/broker-role", "true"), null));
        }
        for (ObjectNode c : m.ofKind("Cluster")) {
            e.put("postgres", new Endpoint("postgres", Repo.NAMESPACE, Map.of("cnpg.io/cluster", Manifests.name(c), "cnpg.io/podRole", "instance"), null));
        }
        e.put("kube-dns", new Endpoint("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"), null));
        e.put("keda-operator", new Endpoint("keda-operator", "keda", Map.of("app", "keda-operator"), null));
        e.put("cnpg-operator", new Endpoint("cnpg-operator", "cnpg-system", Map.of("app.kubernetes.io/name", "cloudnative-pg"), null));
        e.put("prometheus", new Endpoint("prometheus", "monitoring", Map.of("app.kubernetes.io/name", "prometheus"), null));
        e.put("client", new Endpoint("client", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"), null));
        e.put("intruder", new Endpoint("intruder", Repo.NAMESPACE, Map.of("app", "intruder"), null));
        e.put("internet", new Endpoint("internet", null, Map.of(), "203.0.113.10"));
        e.put("private-address", new Endpoint("private-address", null, Map.of(), "10.0.0.5"));
        return e;
    }

    /** The rendered NetworkPolicies, plus the one Strimzi generates per Kafka listener (networkPolicyPeers). */
    static List<ObjectNode> policies(Manifests m) {
        List<ObjectNode> out = new ArrayList<>(m.ofKind("NetworkPolicy"));
        JsonNodeFactory f = JsonNodeFactory.instance;
        for (ObjectNode k : m.ofKind("Kafka")) {
            ObjectNode np = f.objectNode();
            np.put("kind", "NetworkPolicy");
            np.putObject("metadata").put("name", Manifests.name(k) + "-network-policy-kafka").put("namespace", Repo.NAMESPACE);
            ObjectNode spec = np.putObject("spec");
            spec.putObject("podSelector").putObject("matchLabels")
                    .put("strimzi.io/cluster", Manifests.name(k)).put("strimzi.io/kind", "Kafka");
            spec.putArray("policyTypes").add("Ingress");
            var ingress = spec.putArray("ingress");
            for (JsonNode l : k.path("spec").path("kafka").path("listeners")) {
                ObjectNode rule = ingress.addObject();
                rule.putArray("ports").addObject().put("port", l.path("port").asInt()).put("protocol", "TCP");
                if (l.has("networkPolicyPeers")) {
                    rule.set("from", l.path("networkPolicyPeers").deepCopy());
                }
            }
            out.add(np);
        }
        return out;
    }

    static boolean allowed(List<ObjectNode> policies, Endpoint from, Endpoint to, int port, String protocol) {
        return direction(policies, from, to, port, protocol, "Egress") && direction(policies, to, from, port, protocol, "Ingress");
    }

    /** Whether the policies of `subject` let the traffic with `peer` through in one direction. */
    private static boolean direction(List<ObjectNode> policies, Endpoint subject, Endpoint peer, int port, String protocol, String type) {
        if (!subject.isPod()) {
            return true;
        }
        boolean selected = false;
        for (ObjectNode p : policies) {
            String ns = p.path("metadata").path("namespace").asText();
            if (!ns.equals(subject.namespace()) || !types(p).contains(type) || !selects(p.path("spec").path("podSelector"), subject.labels())) {
                continue;
            }
            selected = true;
            String rules = type.equals("Ingress") ? "ingress" : "egress";
            String peers = type.equals("Ingress") ? "from" : "to";
            for (JsonNode rule : p.path("spec").path(rules)) {
                if (portMatches(rule.path("ports"), port, protocol) && peerMatches(rule.path(peers), peer, ns)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    private static List<String> types(JsonNode policy) {
        List<String> t = new ArrayList<>();
        policy.path("spec").path("policyTypes").forEach(n -> t.add(n.asText()));
        if (t.isEmpty()) {
            t.add("Ingress");
            if (policy.path("spec").has("egress")) {
                t.add("Egress");
            }
        }
        return t;
    }

    private static boolean portMatches(JsonNode ports, int port, String protocol) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            if (p.path("protocol").asText("TCP").equals(protocol) && (!p.has("port") || p.path("port").asInt() == port)) {
                return true;
            }
        }
        return false;
    }

    private static boolean peerMatches(JsonNode peers, Endpoint other, String policyNamespace) {
        if (peers.isMissingNode() || peers.isEmpty()) {
            return true;
        }
        for (JsonNode peer : peers) {
            if (peer.has("ipBlock")) {
                if (!other.isPod() && inBlock(other.ip(), peer.path("ipBlock"))) {
                    return true;
                }
                continue;
            }
            if (!other.isPod()) {
                continue;
            }
            boolean nsMatch = peer.has("namespaceSelector")
                    ? selects(peer.path("namespaceSelector"), Map.of("kubernetes.io/metadata.name", other.namespace()))
                    : other.namespace().equals(policyNamespace);
            boolean podMatch = !peer.has("podSelector") || selects(peer.path("podSelector"), other.labels());
            if (nsMatch && podMatch) {
                return true;
            }
        }
        return false;
    }

    private static boolean selects(JsonNode selector, Map<String, String> labels) {
        if (selector.has("matchExpressions")) {
            throw new AssertionError("matchExpressions are not modelled by this checker: use matchLabels");
        }
        return Manifests.selects(selector.path("matchLabels"), labels);
    }

    private static boolean inBlock(String ip, JsonNode block) {
        if (!inCidr(ip, block.path("cidr").asText())) {
            return false;
        }
        for (JsonNode except : block.path("except")) {
            if (inCidr(ip, except.asText())) {
                return false;
            }
        }
        return true;
    }

    static boolean inCidr(String ip, String cidr) {
        String[] parts = cidr.split("/");
        int bits = Integer.parseInt(parts[1]);
        long mask = bits == 0 ? 0 : 0xFFFFFFFFL << (32 - bits) & 0xFFFFFFFFL;
        return (ipv4(ip) & mask) == (ipv4(parts[0]) & mask);
    }

    private static long ipv4(String ip) {
        long v = 0;
        for (String octet : ip.split("\\.")) {
            v = v << 8 | Integer.parseInt(octet);
        }
        return v;
    }
}
