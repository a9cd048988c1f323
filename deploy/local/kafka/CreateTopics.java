import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the platform's topics when missing (like {@code TopicCommand --create --if-not-exists},
 * but in one JVM for all topics). Run by {@code fmnist up} as a single-file source program:
 * <pre>java -cp &lt;broker classpath&gt; CreateTopics.java BOOTSTRAP NAME:PARTITIONS[:compact] ...</pre>
 * Prints one line per topic; exits non-zero when a topic can be neither created nor found.
 */
public class CreateTopics {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CreateTopics BOOTSTRAP NAME:PARTITIONS[:compact] ...");
            System.exit(2);
        }
        List<NewTopic> wanted = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] spec = args[i].split(":");
            NewTopic topic = new NewTopic(spec[0], Integer.parseInt(spec[1]), (short) 1);
            if (spec.length > 2 && spec[2].equals("compact")) {
                topic.configs(Map.of("cleanup.policy", "compact"));
            }
            wanted.add(topic);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                var result = admin.createTopics(missing);
                for (NewTopic t : missing) {
                    try {
                        result.values().get(t.name()).get(60, TimeUnit.SECONDS);
                        System.out.printf("  created  %-24s partitions %d%s%n", t.name(), t.numPartitions(),
                                t.configs() == null ? "" : ", compacted");
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
            Map<String, TopicDescription> described = admin.describeTopics(
                    wanted.stream().map(NewTopic::name).toList()).allTopicNames().get(60, TimeUnit.SECONDS);
            for (NewTopic t : wanted) {
                if (missing.contains(t)) {
                    continue;
                }
                int partitions = described.get(t.name()).partitions().size();
                System.out.printf("  exists   %-24s partitions %d%s%n", t.name(), partitions,
                        partitions < t.numPartitions() ? " (fewer than the " + t.numPartitions() + " wanted: `fmnist up --reset` recreates it)" : "");
            }
        }
    }
}
