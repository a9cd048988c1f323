package dev.fmnist.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.launcher.ServiceProcess;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue #10, credentials come only from configuration or Secrets: no service ships a password, token or
 * secret of its own. The only value allowed outside the test and dev profiles is the empty password of
 * the local stack's trust-authenticated PostgreSQL; the admin token has no default, so the write
 * endpoints refuse every call until one is configured. (Kubernetes manifests are checked by
 * deploy/k8s-tests: their database credentials come from Secrets.)
 */
class CredentialsTest {
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|token|secret|credential|api-?key).*");

    @Test
    void noServiceConfigurationHoldsACredentialOutsideTheTestAndDevProfiles() throws IOException {
        Path root = ServiceProcess.repositoryRoot();
        List<Path> files;
        try (Stream<Path> s = Files.list(root)) {
            files = s.map(m -> m.resolve("src/main/resources/application.properties")).filter(Files::isRegularFile).toList();
        }
        assertThat(files).as("the services' configuration files").hasSizeGreaterThanOrEqualTo(3);
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            for (String key : p.stringPropertyNames()) {
                boolean profiled = key.startsWith("%test.") || key.startsWith("%dev.");
                if (SECRET_KEY.matcher(key).matches() && !profiled && !p.getProperty(key).isBlank()) {
                    found.add(root.relativize(file) + ": " + key + "=" + p.getProperty(key));
                }
            }
        }
        assertThat(found).as("credentials with a value in a shipped configuration").isEmpty();
    }

    @Test
    void theTrainersAdminTokenHasNoDefault() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(ServiceProcess.repositoryRoot()
                .resolve("trainer-service/src/main/resources/application.properties"))) {
            p.load(r);
        }
        assertThat(p.getProperty("trainer.admin-token")).as("trainer.admin-token outside a profile").isNull();
    }
}
