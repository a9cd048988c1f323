package dev.fmnist.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.kafka.TopicSpec;
import dev.fmnist.common.messaging.Topics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Topics, brokers and KEDA triggers against the services' configuration and the local stack's topics. */
final class KafkaChecks {
    private KafkaChecks() {
    }

    /** common's topic table, by name: what the local stack and the tests' brokers create. */
    static Map<String, TopicSpec> tableTopics() {
        Map<String, TopicSpec> out = new LinkedHashMap<>();
        Topics.ALL.forEach(t -> out.put(t.name(), t));
        return out;
    }

    static String topicName(JsonNode kafkaTopic) {
        return kafkaTopic.path("spec").path("topicName").asText(Manifests.name(kafkaTopic));
    }

    static Map<String, ObjectNode> topics(Manifests m) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        m.ofKind("KafkaTopic").forEach(t -> out.put(topicName(t), t));
        return out;
    }

    static List<String> topics(Manifests m, Map<String, TopicSpec> expected, Map<String, Set<String>> serviceTopics) {
        List<String> problems = new ArrayList<>();
        Map<String, ObjectNode> rendered = topics(m);
        Set<String> clusters = new TreeSet<>();
        m.ofKind("Kafka").forEach(k -> clusters.add(Manifests.name(k)));
        for (TopicSpec spec : expected.values()) {
            ObjectNode t = rendered.get(spec.name());
            if (t == null) {
                problems.add("topic " + spec.name() + " of the topic table has no KafkaTopic");
                continue;
            }
            int partitions = t.path("spec").path("partitions").asInt(-1);
            if (partitions != spec.partitions()) {
                problems.add("KafkaTopic " + spec.name() + ": " + partitions + " partitions, the topic table (common's Topics.ALL) has " + spec.partitions());
            }
            JsonNode config = t.path("spec").path("config");
            boolean compacted = config.path("cleanup.policy").asText("delete").contains("compact");
            if (compacted != spec.compacted()) {
                problems.add("KafkaTopic " + spec.name() + ": " + (compacted ? "compacted" : "not compacted") + ", the topic table's is "
                        + (spec.compacted() ? "compacted" : "not compacted"));
            }
            // every config of the table, retention first among them, with the same value
            spec.configs().forEach((key, value) -> {
                String actual = config.path(key).asText(null);
                if (!value.equals(actual)) {
                    problems.add("KafkaTopic " + spec.name() + ": " + key + "=" + actual + ", the topic table has " + value);
                }
            });
        }
        for (String name : rendered.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("KafkaTopic " + name + " is not a topic of the topic table (common's Topics.ALL)");
            }
            String cluster = rendered.get(name).path("metadata").path("labels").path("strimzi.io/cluster").asText();
            if (!clusters.contains(cluster)) {
                problems.add("KafkaTopic " + name + ": label strimzi.io/cluster=" + cluster + " names no Kafka " + clusters);
            }
        }
        serviceTopics.forEach((service, names) -> names.forEach(n -> {
            if (!rendered.containsKey(n)) {
                problems.add(service + " uses topic " + n + " (application.properties), which has no KafkaTopic");
            }
        }));
        return problems;
    }

    /** Node pools against the replication settings: enough brokers for every replication factor, a controller quorum. */
    static List<String> brokers(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode kafka : m.ofKind("Kafka")) {
            String name = Manifests.name(kafka);
            int brokers = 0;
            int controllers = 0;
            for (ObjectNode pool : m.ofKind("KafkaNodePool")) {
                if (!pool.path("metadata").path("labels").path("strimzi.io/cluster").asText().equals(name)) {
                    continue;
                }
                Set<String> roles = new TreeSet<>();
                pool.path("spec").path("roles").forEach(r -> roles.add(r.asText()));
                int replicas = pool.path("spec").path("replicas").asInt();
                brokers += roles.contains("broker") ? replicas : 0;
                controllers += roles.contains("controller") ? replicas : 0;
            }
            if (brokers == 0 || controllers == 0) {
                problems.add("Kafka " + name + ": node pools give " + brokers + " brokers and " + controllers + " controllers (KRaft needs both)");
            }
            if (controllers % 2 == 0 && controllers > 0) {
                problems.add("Kafka " + name + ": " + controllers + " controllers, an even quorum");
            }
            JsonNode config = kafka.path("spec").path("kafka").path("config");
            int rf = config.path("default.replication.factor").asInt(1);
            int minIsr = config.path("min.insync.replicas").asInt(1);
            for (String key : List.of("default.replication.factor", "offsets.topic.replication.factor", "transaction.state.log.replication.factor")) {
                if (config.path(key).asInt(1) > brokers) {
                    problems.add("Kafka " + name + ": " + key + "=" + config.path(key).asInt() + " but only " + brokers + " brokers");
                }
            }
            if (minIsr > rf) {
                problems.add("Kafka " + name + ": min.insync.replicas=" + minIsr + " above the replication factor " + rf);
            }
            if (config.path("transaction.state.log.min.isr").asInt(1) > config.path("transaction.state.log.replication.factor").asInt(1)) {
                problems.add("Kafka " + name + ": transaction.state.log.min.isr above its replication factor");
            }
            for (ObjectNode t : m.ofKind("KafkaTopic")) {
                if (t.path("spec").path("replicas").asInt(0) > brokers) {
                    problems.add("KafkaTopic " + topicName(t) + ": more replicas than the " + brokers + " brokers");
                }
            }
        }
        return problems;
    }

    /**
     * KEDA Kafka triggers: the consumer group and topic of the target's service, no more replicas than
     * partitions (extra consumers would sit idle) and the same offset reset policy as the consumer.
     */
    static List<String> scaling(Manifests m) {
        List<String> problems = new ArrayList<>();
        Map<String, ObjectNode> topics = topics(m);
        for (ObjectNode so : m.ofKind("ScaledObject")) {
            String where = "ScaledObject/" + Manifests.name(so);
            Optional<ObjectNode> target = m.find("Deployment", so.path("spec").path("scaleTargetRef").path("name").asText());
            if (target.isEmpty()) {
                problems.add(where + ": no target Deployment");
                continue;
            }
            String service = target.get().path("spec").path("template").path("spec").path("containers").path(0).path("name").asText();
            ServiceConfig config = Checks.config(service);
            int max = so.path("spec").path("maxReplicaCount").asInt(100);
            int min = so.path("spec").path("minReplicaCount").asInt(0);
            if (min < 1) {
                problems.add(where + ": minReplicaCount " + min + ": the service also answers HTTP, keep one replica");
            }
            if (min > max) {
                problems.add(where + ": minReplicaCount above maxReplicaCount");
            }
            boolean kafkaTrigger = false;
            for (JsonNode t : so.path("spec").path("triggers")) {
                if (!t.path("type").asText().equals("kafka")) {
                    continue;
                }
                kafkaTrigger = true;
                JsonNode md = t.path("metadata");
                String topic = md.path("topic").asText();
                String group = md.path("consumerGroup").asText();
                ObjectNode kt = topics.get(topic);
                if (kt == null) {
                    problems.add(where + ": topic " + topic + " has no KafkaTopic");
                } else if (max > kt.path("spec").path("partitions").asInt()) {
                    problems.add(where + ": maxReplicaCount " + max + " above the " + kt.path("spec").path("partitions").asInt()
                            + " partitions of " + topic + " (the extra consumers would sit idle)");
                }
                List<ServiceConfig.Channel> consuming = config.incoming().values().stream().filter(c -> c.topic().equals(topic)).toList();
                if (consuming.isEmpty()) {
                    if (!config.incoming().isEmpty()) {
                        problems.add(where + ": " + service + " consumes no channel on " + topic + " (its channels: " + config.incoming().values() + ")");
                    } else if (!group.equals(config.applicationName())) {
                        // a service without channels yet: Quarkus' default group is quarkus.application.name
                        problems.add(where + ": consumerGroup " + group + ", expected " + config.applicationName());
                    }
                }
                for (ServiceConfig.Channel c : consuming) {
                    if (!c.groupId().equals(group)) {
                        problems.add(where + ": consumerGroup " + group + " but " + service + "'s channel " + c.name()
                                + " on " + topic + " consumes as group " + c.groupId());
                    }
                    String reset = md.path("offsetResetPolicy").asText("latest");
                    if (c.autoOffsetReset().isPresent() && !c.autoOffsetReset().get().equals(reset)) {
                        problems.add(where + ": offsetResetPolicy " + reset + " but the consumer resets to " + c.autoOffsetReset().get());
                    }
                }
            }
            if (!kafkaTrigger) {
                problems.add(where + ": no kafka trigger (scaling is on consumer lag)");
            }
        }
        return problems;
    }
}
