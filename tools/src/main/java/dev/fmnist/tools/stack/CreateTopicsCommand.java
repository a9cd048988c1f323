package dev.fmnist.tools.stack;

import dev.fmnist.common.kafka.TopicAdmin;
import dev.fmnist.tools.KafkaOptions;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code topics}: creates the platform's topics of common's topic table that the broker lacks (run by {@code fmnist up}). */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the platform's topics (common's Topics.ALL) that the broker lacks; print one line a topic.")
public final class CreateTopicsCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        try (Admin admin = Admin.create(kafka.settings().admin(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000")))) {
            TopicAdmin.ensureAll(admin, outcome -> System.out.println("  " + outcome.describe()));
        }
        return 0;
    }
}
