package dev.fmnist.deploy.k8s;

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
 * Renders a Kustomize directory with the tool this machine has: {@code $FMNIST_KUSTOMIZE} (a kubectl
 * or kustomize binary), else {@code kustomize build}, else {@code kubectl kustomize} from PATH. The
 * manifests stay within what kustomize v2.0.3 (Debian's kubectl 1.20) and v5 both understand.
 * Installs nothing: without a tool the tests fail and say how to get one.
 */
final class Kustomize {
    static final String MISSING_TOOL = "Rendering deploy/k8s needs kubectl (with its built-in kustomize) or kustomize on "
            + "PATH, or FMNIST_KUSTOMIZE=/path/to/kubectl-or-kustomize. On Debian: apt-get install kubernetes-client "
            + "(.ci/run does this when neither tool is there).";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<Path, Manifests> CACHE = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    static Manifests overlay(String name) {
        return render(Repo.overlay(name));
    }

    /** The rendered manifests of a Kustomize directory (cached; callers copy before changing them). */
    static Manifests render(Path dir) {
        return CACHE.computeIfAbsent(dir.toAbsolutePath().normalize(), Kustomize::run);
    }

    static List<String> command(Path dir) {
        Path tool = tool().orElseThrow(() -> new AssertionError(MISSING_TOOL));
        String name = tool.getFileName().toString();
        return name.startsWith("kustomize")
                ? List.of(tool.toString(), "build", dir.toString())
                : List.of(tool.toString(), "kustomize", dir.toString());
    }

    static Optional<Path> tool() {
        String configured = System.getenv("FMNIST_KUSTOMIZE");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isExecutable(p)) {
                throw new AssertionError("FMNIST_KUSTOMIZE=" + configured + " is not an executable file. " + MISSING_TOOL);
            }
            return Optional.of(p);
        }
        return onPath("kustomize").or(() -> onPath("kubectl"));
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Manifests run(Path dir) {
        List<String> command = command(dir);
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
                process.getOutputStream().close();
                byte[] out = process.getInputStream().readAllBytes();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
                            + Files.readString(err));
                }
                return parse(new String(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + dir, e);
        }
    }

    /** Multi-document YAML to objects, empty documents left out. */
    static Manifests parse(String yaml) throws IOException {
        List<ObjectNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc instanceof ObjectNode object && object.has("kind")) {
                    docs.add(object);
                }
            }
        }
        return new Manifests(docs);
    }
}
