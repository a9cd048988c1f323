package dev.fmnist.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where things are in the repository, found from the test's working directory upwards. */
final class Repo {
    static final Path ROOT = findRoot();
    static final List<String> OVERLAYS = List.of("dev", "prod", "gpu");
    static final List<String> SERVICES = List.of("trainer-service", "inference-service", "explainer-service");
    static final String NAMESPACE = "fmnist";

    private Repo() {
    }

    static Path k8s() {
        return ROOT.resolve("deploy/k8s");
    }

    static Path overlay(String name) {
        return k8s().resolve("overlays").resolve(name);
    }

    static Path service(String service) {
        return ROOT.resolve(service);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("fmnist")) && Files.isDirectory(p.resolve("deploy/k8s"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a folder with `fmnist` and deploy/k8s) above "
                + Path.of("").toAbsolutePath());
    }
}
