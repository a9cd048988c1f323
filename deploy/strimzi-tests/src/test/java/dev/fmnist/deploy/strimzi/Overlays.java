package dev.fmnist.deploy.strimzi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The rendered overlays of deploy/k8s, with the tool deploy/k8s-tests uses ({@code $FMNIST_KUSTOMIZE},
 * else kustomize, else kubectl from PATH; kustomize v5). k8s-tests checks the rest of the rendering;
 * this module only needs the objects.
 */
final class Overlays {
    static final List<String> NAMES = List.of("dev", "prod", "gpu");
    static final Path ROOT = findRoot();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, List<ObjectNode>> CACHE = new ConcurrentHashMap<>();

    private Overlays() {
    }

    /** The objects of one overlay; callers get copies they may change. */
    static List<ObjectNode> render(String overlay) {
        return CACHE.computeIfAbsent(overlay, Overlays::run).stream().map(ObjectNode::deepCopy).toList();
    }

    static List<ObjectNode> strimzi(String overlay) {
        return render(overlay).stream().filter(d -> d.path("apiVersion").asText().startsWith("kafka.strimzi.io/")).toList();
    }

    static ObjectNode get(List<ObjectNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    private static List<ObjectNode> run(String overlay) {
        Path tool = tool().orElseThrow(() -> new AssertionError("Rendering deploy/k8s needs kustomize v5: kubectl 1.27+ or "
                + "kustomize 5.x on PATH, or FMNIST_KUSTOMIZE=/path/to/kubectl-or-kustomize."));
        Path dir = ROOT.resolve("deploy/k8s/overlays").resolve(overlay);
        List<String> command = tool.getFileName().toString().startsWith("kustomize")
                ? List.of(tool.toString(), "build", dir.toString())
                : List.of(tool.toString(), "kustomize", dir.toString());
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
                process.getOutputStream().close();
                byte[] out = process.getInputStream().readAllBytes();
                if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " failed: " + Files.readString(err));
                }
                List<ObjectNode> docs = new ArrayList<>();
                try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(new String(out, StandardCharsets.UTF_8))) {
                    while (it.hasNext()) {
                        if (it.next() instanceof ObjectNode o && o.has("kind")) {
                            docs.add(o);
                        }
                    }
                }
                return docs;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Optional<Path> tool() {
        String configured = System.getenv("FMNIST_KUSTOMIZE");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        for (String name : List.of("kustomize", "kubectl")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path candidate = dir.isEmpty() ? null : Path.of(dir, name);
                if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("fmnist")) && Files.isDirectory(p.resolve("deploy/k8s"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
    }
}
