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
 * manifests use kustomize v5 syntax ({@code resources} for directories, {@code patches},
 * {@code labels} with {@code includeTemplates}): kubectl 1.27 or later, or kustomize 5.x. Installs
 * nothing: without a tool the tests fail and say how to get one.
 */
final class Kustomize {
    static final String MISSING_TOOL = "Rendering deploy/k8s needs kustomize v5: kubectl 1.27 or later (its built-in "
            + "kustomize) or kustomize 5.x on PATH, or FMNIST_KUSTOMIZE=/path/to/kubectl-or-kustomize. Debian 12's "
            + "kubernetes-client (kubectl 1.20, kustomize v2.0.3) is too old for the manifests.";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<Path, Manifests> CACHE = new ConcurrentHashMap<>();
    private static final Map<Path, String> WARNINGS = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    static Manifests overlay(String name) {
        return render(Repo.overlay(name));
    }

    /** The rendered manifests of a Kustomize directory (cached; callers copy before changing them). */
    static Manifests render(Path dir) {
        return CACHE.computeIfAbsent(dir.toAbsolutePath().normalize(), Kustomize::run);
    }

    /** What the tool printed on stderr while rendering the directory (deprecation notes, for example); empty when nothing. */
    static String warnings(Path dir) {
        render(dir);
        return WARNINGS.getOrDefault(dir.toAbsolutePath().normalize(), "");
    }

    /**
     * The kustomize version of the tool, e.g. "v5.5.0": {@code kubectl version --client} prints a line
     * "Kustomize Version: v5.5.0" (kubectl 1.21 and later; 1.20 and older print none), {@code kustomize
     * version} prints "v5.5.0" or "{Version:kustomize/v4.5.4 ...}". Empty when the tool does not say.
     */
    static Optional<String> version() {
        Path tool = tool().orElseThrow(() -> new AssertionError(MISSING_TOOL));
        boolean kustomize = tool.getFileName().toString().startsWith("kustomize");
        List<String> command = kustomize ? List.of(tool.toString(), "version") : List.of(tool.toString(), "version", "--client");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile(kustomize ? "(v\\d+\\.\\d+\\.\\d+)" : "Kustomize Version: (v\\d+\\.\\d+\\.\\d+)").matcher(out);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while asking " + tool + " for its version", e);
        }
    }

    /** The major version of {@link #version()}, 0 when unknown (kubectl 1.20 and older: kustomize v2.0.3). */
    static int majorVersion() {
        return version().map(v -> Integer.parseInt(v.substring(1, v.indexOf('.')))).orElse(0);
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
                            + Files.readString(err) + (majorVersion() < 5 ? "\n" + MISSING_TOOL + " This one has kustomize "
                            + version().orElse("v2.0.3 or older") + "." : ""));
                }
                WARNINGS.put(dir.toAbsolutePath().normalize(), Files.readString(err).strip());
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
