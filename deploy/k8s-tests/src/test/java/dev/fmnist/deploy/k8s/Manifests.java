package dev.fmnist.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The objects of one rendered overlay. */
record Manifests(List<ObjectNode> docs) {

    /** A pod template inside a Deployment, Job or CronJob. */
    record Pod(String kind, String name, ObjectNode template) {
        JsonNode spec() {
            return template.path("spec");
        }

        Map<String, String> labels() {
            return Manifests.labels(template.path("metadata").path("labels"));
        }

        List<JsonNode> containers() {
            List<JsonNode> out = new ArrayList<>();
            spec().path("containers").forEach(out::add);
            return out;
        }

        String where() {
            return kind + "/" + name;
        }
    }

    static String kind(JsonNode doc) {
        return doc.path("kind").asText();
    }

    static String name(JsonNode doc) {
        return doc.path("metadata").path("name").asText();
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Whether matchLabels (a plain map) selects the labels; an empty selector selects everything. */
    static boolean selects(JsonNode matchLabels, Map<String, String> labels) {
        Map<String, String> wanted = Manifests.labels(matchLabels);
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    List<ObjectNode> ofKind(String kind) {
        return docs.stream().filter(d -> kind(d).equals(kind)).toList();
    }

    Optional<ObjectNode> find(String kind, String name) {
        return docs.stream().filter(d -> kind(d).equals(kind) && name(d).equals(name)).findFirst();
    }

    ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in the manifests"));
    }

    List<Pod> pods() {
        List<Pod> out = new ArrayList<>();
        for (ObjectNode d : docs) {
            switch (kind(d)) {
                case "Deployment", "StatefulSet", "DaemonSet", "Job" ->
                        out.add(new Pod(kind(d), name(d), (ObjectNode) d.path("spec").path("template")));
                case "CronJob" -> out.add(new Pod(kind(d), name(d),
                        (ObjectNode) d.path("spec").path("jobTemplate").path("spec").path("template")));
                default -> {
                }
            }
        }
        return out;
    }

    /** A deep copy with one object changed, for the checks' negative tests. */
    Manifests with(String kind, String name, Consumer<ObjectNode> change) {
        Manifests copy = copy();
        change.accept(copy.get(kind, name));
        return copy;
    }

    Manifests without(String kind, String name) {
        return new Manifests(copy().docs.stream().filter(d -> !(kind(d).equals(kind) && name(d).equals(name))).toList());
    }

    Manifests copy() {
        return new Manifests(docs.stream().map(ObjectNode::deepCopy).toList());
    }
}
