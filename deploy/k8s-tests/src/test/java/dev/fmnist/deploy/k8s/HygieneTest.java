package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** No secrets and no machine paths in git; the docs exist. */
class HygieneTest {

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void noSecretObjectsAndOnlyPlaceholderLiteralsInGit() throws IOException {
        for (Path f : files(Repo.k8s())) {
            String text = Repo.read(f);
            assertThat(text).as(f + " must not define a Secret (dev generates one, prod expects it created)")
                    .doesNotContainPattern("(?m)^kind:\\s*Secret\\s*$");
            if (text.contains("secretGenerator:")) {
                assertThat(Repo.k8s().relativize(f).toString()).as("only the dev overlay generates Secrets").startsWith("overlays/dev");
                assertThat(text).contains("password=change-me").doesNotContainPattern("password=(?!change-me)");
            }
        }
    }

    @Test
    void noMachinePathsInTheDeploymentFiles() throws IOException {
        Pattern machine = Pattern.compile("(/work/(wt-|main|shared|\\.library)|/root/|/home/\\w|/Users/|/tmp/k8s)");
        for (Path dir : List.of(Repo.k8s(), Repo.service("trainer-service").resolve("src/main/docker"),
                Repo.service("inference-service").resolve("src/main/docker"), Repo.service("explainer-service").resolve("src/main/docker"))) {
            for (Path f : files(dir)) {
                assertThat(Repo.read(f)).as(f.toString()).doesNotContainPattern(machine);
            }
        }
    }

    @Test
    void theReadmesExist() {
        String readme = Repo.read(Repo.k8s().resolve("README.md"));
        String main = Repo.read(Repo.ROOT.resolve("README.md"));
        assertThat(main).as("the top-level README links the deployment guide").contains("(docs/deploy.md)");
        String guide = Repo.read(Repo.ROOT.resolve("docs/deploy.md"));
        assertThat(guide).startsWith("# Deploy on Kubernetes");
        for (String text : List.of(readme, guide)) {
            assertThat(text).contains("kubectl apply -k deploy/k8s/overlays/dev", "Strimzi", "CloudNativePG", "KEDA", "nvidia.com/gpu",
                    "quarkus.container-image.build=true", "Dockerfile.native-micro", "fmnist-train");
        }
    }
}
