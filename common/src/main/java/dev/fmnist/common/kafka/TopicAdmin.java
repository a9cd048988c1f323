package dev.fmnist.common.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.fmnist.common.messaging.Topics;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics of {@link Topics#ALL} that a broker lacks (like {@code kafka-topics --create
 * --if-not-exists}, for all topics in one call): used by the local stack and by the tests' brokers.
 */
public final class TopicAdmin {
    private static final long TIMEOUT_S = 60;

    private TopicAdmin() {
    }

    /** What became of one topic. */
    public record Outcome(TopicSpec spec, boolean created, int partitions) {
        public String describe() {
            String line = String.format("%-8s %-24s partitions %d%s", created ? "created" : "exists", spec.name(), partitions,
                    spec.compacted() ? ", compacted" : "");
            if (partitions < spec.partitions()) {
                line += " (fewer than the " + spec.partitions() + " wanted: `fmnist up --reset` recreates it)";
            }
            return line;
        }
    }

    /** Creates every missing topic of {@code wanted} with replication factor {@code replicas}; reports each. */
    public static List<Outcome> ensure(Admin admin, List<TopicSpec> wanted, short replicas)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec t : wanted) {
            if (!existing.contains(t.name())) {
                missing.add(new NewTopic(t.name(), t.partitions(), replicas).configs(t.configs()));
            }
        }
        List<String> created = new ArrayList<>();
        if (!missing.isEmpty()) {
            var result = admin.createTopics(missing);
            for (NewTopic t : missing) {
                try {
                    result.values().get(t.name()).get(TIMEOUT_S, TimeUnit.SECONDS);
                    created.add(t.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        Map<String, TopicDescription> described = admin.describeTopics(wanted.stream().map(TopicSpec::name).toList())
                .allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
        List<Outcome> out = new ArrayList<>();
        for (TopicSpec t : wanted) {
            out.add(new Outcome(t, created.contains(t.name()), described.get(t.name()).partitions().size()));
        }
        return out;
    }

    /** {@link #ensure} of every platform topic on a single-broker cluster, each outcome to {@code report}. */
    public static void ensureAll(Admin admin, Consumer<Outcome> report)
            throws InterruptedException, ExecutionException, TimeoutException {
        ensure(admin, Topics.ALL, (short) 1).forEach(report);
    }
}
