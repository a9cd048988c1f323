package dev.fmnist.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether this client's Kafka principal may do what the service needs, in plain words: a broker that requires
 * SASL over TLS and enforces ACLs refuses a wrong password, an untrusted certificate or a forgotten ACL, and
 * each of those must show in readiness and the log, naming what is wrong, rather than as a consumer that
 * silently receives nothing or a batch that fails deep in a producer callback.
 *
 * <p>{@link #check} asks the broker which operations the principal is allowed on each topic (a topic
 * description with its authorized operations: one request, no side effect); {@link #explain} turns the
 * client's authentication and authorization exceptions into the same kind of sentence. On a broker without an
 * authorizer every operation is allowed, so the local stack's plaintext broker passes.
 */
public final class KafkaAccess {
    /** What a service does with a topic. */
    public enum Use {
        READ("read", AclOperation.READ), WRITE("write to", AclOperation.WRITE);

        private final String verb;
        private final AclOperation operation;

        Use(String verb, AclOperation operation) {
            this.verb = verb;
            this.operation = operation;
        }
    }

    /** One topic the service uses, and how. */
    public record Need(String topic, Use use) {
        public static Need read(String topic) {
            return new Need(topic, Use.READ);
        }

        public static Need write(String topic) {
            return new Need(topic, Use.WRITE);
        }
    }

    private KafkaAccess() {
    }

    /**
     * The problems of {@code needs} for the principal {@code admin} authenticates as, one sentence each (keyed by
     * topic, or {@code "kafka"} when the broker could not be asked at all); empty when every need is allowed.
     */
    public static Map<String, String> check(Admin admin, List<Need> needs, Duration timeout)
            throws InterruptedException {
        Map<String, String> problems = new LinkedHashMap<>();
        List<String> topics = needs.stream().map(Need::topic).distinct().toList();
        Map<String, KafkaFuture<TopicDescription>> described;
        try {
            described = admin.describeTopics(topics, new DescribeTopicsOptions().includeAuthorizedOperations(true)
                    .timeoutMs((int) timeout.toMillis())).topicNameValues();
        } catch (RuntimeException e) {
            problems.put("kafka", explain(e));
            return problems;
        }
        for (Need need : needs) {
            String topic = need.topic();
            if (problems.containsKey(topic)) {
                continue;
            }
            try {
                TopicDescription d = described.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Set<AclOperation> allowed = d.authorizedOperations();
                if (allowed != null && !allowed.contains(need.use().operation) && !allowed.contains(AclOperation.ALL)) {
                    problems.put(topic, "this service's Kafka principal may not " + need.use().verb + " topic " + topic
                            + ": an ACL allowing " + need.use().operation + " on topic " + topic + " is missing");
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof AuthenticationException) {
                    problems.clear();
                    problems.put("kafka", explain(cause));
                    return problems;
                }
                problems.put(topic, cause instanceof UnknownTopicOrPartitionException
                        ? "topic " + topic + " does not exist on the broker"
                        : explain(cause, need));
            } catch (TimeoutException e) {
                problems.put("kafka", "the Kafka broker did not answer within " + timeout.toSeconds() + " s");
                return problems;
            }
        }
        return problems;
    }

    /** A client's failure in plain words: what was refused and what to check; other failures as their message. */
    public static String explain(Throwable error) {
        return explain(error, null);
    }

    private static String explain(Throwable error, Need need) {
        Throwable e = error;
        while (e.getCause() != null && !(e instanceof AuthenticationException)
                && !(e instanceof org.apache.kafka.common.errors.AuthorizationException)) {
            e = e.getCause();
        }
        if (e instanceof SaslAuthenticationException) {
            return "Kafka refused this service's credentials (" + e.getMessage() + "): check the user name and password"
                    + " in sasl.jaas.config (KAFKA_SASL_JAAS_CONFIG) and sasl.mechanism";
        }
        if (e instanceof SslAuthenticationException) {
            return "the TLS handshake with Kafka failed (" + rootMessage(e) + "): check ssl.truststore.* (the CA that"
                    + " signed the broker's certificate) and that security.protocol matches the listener";
        }
        if (e instanceof AuthenticationException) {
            return "Kafka did not authenticate this service (" + e.getMessage() + "): check security.protocol, sasl.*"
                    + " and ssl.*";
        }
        if (e instanceof TopicAuthorizationException t) {
            Set<String> topics = t.unauthorizedTopics();
            String names = topics == null || topics.isEmpty() ? (need == null ? "?" : need.topic()) : String.join(", ", topics);
            if (need == null) {
                return "Kafka denied this service's principal access to topic " + names + ": an ACL on topic " + names
                        + " is missing (WRITE to produce to it, READ to consume it)";
            }
            return "Kafka denied this service's principal access to topic " + names + ": an ACL allowing "
                    + need.use().operation + " on topic " + names + " is missing";
        }
        if (e instanceof GroupAuthorizationException g) {
            return "Kafka denied this service's principal the consumer group " + g.groupId()
                    + ": an ACL allowing READ on group " + g.groupId() + " is missing";
        }
        if (e instanceof ClusterAuthorizationException) {
            return "Kafka denied this service's principal a cluster operation (" + e.getMessage() + ")";
        }
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }

    /** Whether {@code error} (or a cause) is Kafka refusing this client's credentials or its permissions. */
    public static boolean isAccessFailure(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof AuthenticationException || e instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /** {@code needs} as text for a log line: {@code read fmnist.images, write to fmnist.predictions}. */
    public static String describe(List<Need> needs) {
        List<String> parts = new ArrayList<>();
        for (Need n : needs) {
            parts.add(n.use().verb + " " + n.topic());
        }
        return String.join(", ", parts);
    }
}
