package dev.fmnist.tools.stack;

import dev.fmnist.common.kafka.TopicAdmin;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code topics}: creates the platform's topics of common's topic table that the broker lacks (run by {@code fmnist up}). */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the platform's topics (common's Topics.ALL) that the broker lacks; print one line a topic.")
public final class CreateTopicsCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE})")
    String bootstrap;

    @Override
    public Integer call() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        try (Admin admin = Admin.create(props)) {
            TopicAdmin.ensureAll(admin, outcome -> System.out.println("  " + outcome.describe()));
        }
        return 0;
    }
}
