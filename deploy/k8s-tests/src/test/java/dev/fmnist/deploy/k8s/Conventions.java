package dev.fmnist.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The conventions of current tooling: the recommended {@code app.kubernetes.io/*} labels, kustomize
 * v5 syntax, Grafana's dashboard sidecar. Each check returns the problems it found (empty: fine).
 */
final class Conventions {
    static final String LABEL = "app.kubernetes.io/";
    /** The recommended labels every object carries (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
    static final List<String> EVERY_OBJECT = List.of("name", "instance", "component", "part-of", "managed-by");
    /** Kustomization fields kustomize v5 deprecates (and `kustomize edit fix` rewrites). */
    static final Set<String> DEPRECATED_FIELDS = Set.of("bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels",
            "vars", "imageTags", "crds");
    /** The label Grafana's dashboard sidecar selects ConfigMaps by (kube-prometheus-stack, the Grafana chart: grafana_dashboard). */
    static final String DASHBOARD_LABEL = "grafana_dashboard";
    static final Path DASHBOARDS = Repo.ROOT.resolve("deploy/grafana/dashboards");
    /** kubectl apply (client side) keeps the object in an annotation, at most 256 KiB with the others. */
    static final int APPLY_ANNOTATION_LIMIT = 262_144;

    private static final YAMLMapper YAML = new YAMLMapper();
    /** The names deploy/grafana/kustomization.yaml generates, where they carry no content hash. */
    static final Set<String> DASHBOARD_CONFIGMAPS = dashboardConfigMaps();

    private Conventions() {
    }

    // ---- recommended labels ----

    static List<String> labels(Manifests m, String overlay) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode doc : m.docs()) {
            String where = Manifests.kind(doc) + "/" + Manifests.name(doc);
            Map<String, String> labels = Manifests.labels(doc.path("metadata").path("labels"));
            problems.addAll(recommended(where, labels, overlay));
        }
        for (Manifests.Pod pod : m.pods()) {
            Map<String, String> own = Manifests.labels(m.get(pod.kind(), pod.name()).path("metadata").path("labels"));
            Map<String, String> template = pod.labels();
            problems.addAll(recommended(pod.where() + " pod template", template, overlay));
            for (String key : List.of("name", "component", "version")) {
                if (!String.valueOf(template.get(LABEL + key)).equals(String.valueOf(own.get(LABEL + key)))) {
                    problems.add(pod.where() + ": pod template's " + LABEL + key + " '" + template.get(LABEL + key)
                            + "' differs from the object's '" + own.get(LABEL + key) + "'");
                }
            }
            // the version is the release of the image the pod runs (the tag the kustomizations set)
            for (JsonNode c : pod.containers()) {
                String image = c.path("image").asText();
                String tag = image.substring(image.lastIndexOf(':') + 1);
                if (!tag.equals(template.get(LABEL + "version"))) {
                    problems.add(pod.where() + ": " + LABEL + "version '" + template.get(LABEL + "version")
                            + "' is not the tag of image " + image);
                }
            }
        }
        // selectors never hold labels that change with a release or an overlay: a Deployment's selector is immutable
        for (ObjectNode doc : m.docs()) {
            String where = Manifests.kind(doc) + "/" + Manifests.name(doc);
            List<JsonNode> selectors = new ArrayList<>();
            selectors.add(doc.path("spec").path("selector").path("matchLabels"));
            selectors.add(doc.path("spec").path("selector"));
            selectors.add(doc.path("spec").path("podSelector").path("matchLabels"));
            for (JsonNode selector : selectors) {
                for (String key : List.of("version", "instance", "managed-by")) {
                    if (selector.has(LABEL + key)) {
                        problems.add(where + ": a selector holds " + LABEL + key);
                    }
                }
            }
        }
        return problems;
    }

    private static List<String> recommended(String where, Map<String, String> labels, String overlay) {
        List<String> problems = new ArrayList<>();
        for (String key : EVERY_OBJECT) {
            if (labels.getOrDefault(LABEL + key, "").isEmpty()) {
                problems.add(where + ": no label " + LABEL + key);
            }
        }
        expect(problems, where, labels, "part-of", "fmnist");
        expect(problems, where, labels, "managed-by", "kustomize");
        expect(problems, where, labels, "instance", "fmnist-" + overlay);
        return problems;
    }

    private static void expect(List<String> problems, String where, Map<String, String> labels, String key, String value) {
        String actual = labels.get(LABEL + key);
        if (actual != null && !actual.equals(value)) {
            problems.add(where + ": " + LABEL + key + " is '" + actual + "', not '" + value + "'");
        }
    }

    // ---- kustomize v5 syntax ----

    static List<Path> kustomizations() {
        try (Stream<Path> files = Stream.concat(Files.walk(Repo.k8s()), Files.walk(Repo.ROOT.resolve("deploy/grafana")))) {
            return files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> syntax(Path kustomization) {
        return syntax(kustomization.toString(), Repo.read(kustomization));
    }

    static List<String> syntax(String where, String yaml) {
        List<String> problems = new ArrayList<>();
        JsonNode k;
        try {
            k = YAML.readTree(yaml);
        } catch (IOException e) {
            return List.of(where + ": not YAML: " + e.getMessage());
        }
        if (!k.path("apiVersion").asText().equals("kustomize.config.k8s.io/v1beta1") || !k.path("kind").asText().equals("Kustomization")) {
            problems.add(where + ": no apiVersion kustomize.config.k8s.io/v1beta1 / kind Kustomization");
        }
        k.fieldNames().forEachRemaining(field -> {
            if (DEPRECATED_FIELDS.contains(field)) {
                problems.add(where + ": '" + field + "' is deprecated in kustomize v5 ("
                        + (field.equals("bases") ? "use resources" : field.startsWith("patches") ? "use patches" : "see kustomize edit fix") + ")");
            }
        });
        for (JsonNode generator : List.of(k.path("configMapGenerator"), k.path("secretGenerator"))) {
            for (JsonNode g : generator) {
                if (g.has("behavior") && g.path("behavior").asText().isEmpty()) {
                    problems.add(where + ": generator " + g.path("name").asText() + " has an empty behavior");
                }
            }
        }
        return problems;
    }

    // ---- Grafana's dashboard sidecar ----

    /** The dashboard JSON files, the one copy of each (deploy/grafana/dashboards). */
    static Map<String, String> dashboardFiles() {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            files.filter(f -> f.getFileName().toString().endsWith(".json")).forEach(f -> out.put(f.getFileName().toString(), Repo.read(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Set<String> dashboardConfigMaps() {
        try {
            JsonNode k = YAML.readTree(Repo.ROOT.resolve("deploy/grafana/kustomization.yaml").toFile());
            Set<String> names = new java.util.TreeSet<>();
            for (JsonNode g : k.path("configMapGenerator")) {
                if (g.path("options").path("disableNameSuffixHash").asBoolean(false)
                        || k.path("generatorOptions").path("disableNameSuffixHash").asBoolean(false)) {
                    names.add(g.path("name").asText());
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> dashboards(Manifests m) {
        List<String> problems = new ArrayList<>();
        Map<String, String> found = new TreeMap<>();
        for (ObjectNode cm : m.ofKind("ConfigMap")) {
            if (!cm.path("metadata").path("labels").has(DASHBOARD_LABEL)) {
                continue;
            }
            String where = "ConfigMap/" + Manifests.name(cm);
            if (!cm.path("metadata").path("labels").path(DASHBOARD_LABEL).asText().equals("1")) {
                problems.add(where + ": label " + DASHBOARD_LABEL + " is not \"1\" (the sidecar's default labelValue)");
            }
            if (!DASHBOARD_CONFIGMAPS.contains(Manifests.name(cm))) {
                problems.add(where + ": not a name of deploy/grafana/kustomization.yaml's generator without a content hash (a new"
                        + " name per change leaves the old ConfigMap, and a second copy of the dashboard, behind)");
            }
            if (cm.toString().length() > APPLY_ANNOTATION_LIMIT - 1024) {
                problems.add(where + ": too large for kubectl apply's last-applied annotation");
            }
            cm.path("data").fields().forEachRemaining(e -> {
                found.put(e.getKey(), e.getValue().asText());
                if (!e.getKey().endsWith(".json")) {
                    problems.add(where + ": key " + e.getKey() + " is not a .json file");
                }
            });
        }
        Map<String, String> files = dashboardFiles();
        for (Map.Entry<String, String> file : files.entrySet()) {
            if (!found.containsKey(file.getKey())) {
                problems.add("no ConfigMap labelled " + DASHBOARD_LABEL + " holds deploy/grafana/dashboards/" + file.getKey());
            } else if (!found.get(file.getKey()).equals(file.getValue())) {
                problems.add("the ConfigMap's " + file.getKey() + " differs from deploy/grafana/dashboards/" + file.getKey());
            }
        }
        found.keySet().stream().filter(k -> !files.containsKey(k))
                .forEach(k -> problems.add("dashboard " + k + " is in a ConfigMap but not in deploy/grafana/dashboards"));
        return problems;
    }
}
