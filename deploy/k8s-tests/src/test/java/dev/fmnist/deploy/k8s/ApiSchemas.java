package dev.fmnist.deploy.k8s;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Validates rendered objects against the published schema of their API, the way the API server
 * would with {@code kubectl apply} (field validation Strict, the default since Kubernetes 1.27):
 *
 * <ul>
 *   <li>Kubernetes core kinds: strict deserialisation into fabric8's kubernetes-model (generated from
 *       the Kubernetes OpenAPI): an unknown field, a number where a string belongs (or the reverse),
 *       a scalar where a list belongs, an unknown enum value fail;</li>
 *   <li>custom resources of KEDA ({@code ScaledObject}, {@code TriggerAuthentication}), CloudNativePG and
 *       the Prometheus operator: the {@code openAPIV3Schema}
 *       of the CRD of their release (src/test/resources/crds, source and version in each file's
 *       header), with a JSON Schema validator. A structural schema leaves out
 *       {@code additionalProperties}; the API server rejects unknown fields all the same (Strict), so
 *       every object schema with {@code properties} and without
 *       {@code x-kubernetes-preserve-unknown-fields} is closed here. Metadata is checked against
 *       fabric8's ObjectMeta. CEL rules ({@code x-kubernetes-validations}) are not evaluated;</li>
 *   <li>Strimzi ({@code kafka.strimzi.io}): only the API version here (Strimzi 1.0 and later serve
 *       only {@code v1}); the schema through Strimzi's own model is deploy/strimzi-tests' (Java 21+).</li>
 * </ul>
 *
 * A kind with none of these is a problem: every rendered object must be validated.
 */
final class ApiSchemas {
    static final String STRIMZI_GROUP = "kafka.strimzi.io";
    static final String STRIMZI_VERSION = "kafka.strimzi.io/v1";

    /** apiVersion/kind to the fabric8 model class. */
    private static final Map<String, Class<?>> CORE = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("apps/v1/DaemonSet", DaemonSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("batch/v1/CronJob", CronJob.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class));

    /** group/kind to the CRD file under src/test/resources/crds. */
    private static final Map<String, String> CRDS = Map.of(
            "keda.sh/ScaledObject", "crds/keda.sh_scaledobjects.yaml",
            "keda.sh/TriggerAuthentication", "crds/keda.sh_triggerauthentications.yaml",
            "postgresql.cnpg.io/Cluster", "crds/postgresql.cnpg.io_clusters.yaml",
            "monitoring.coreos.com/ServiceMonitor", "crds/monitoring.coreos.com_servicemonitors.yaml");

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                    DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // Kubernetes' JSON decoding does not turn 2 or true into "2" or "true"
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            // the models keep unknown fields in an additionalProperties map (@JsonAnySetter); the API server rejects them
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Map<String, Optional<Schema>> SCHEMAS = new ConcurrentHashMap<>();

    private ApiSchemas() {
    }

    static List<String> validate(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (com.fasterxml.jackson.databind.node.ObjectNode doc : m.docs()) {
            problems.addAll(validate(doc));
        }
        return problems;
    }

    /** The problems of one rendered object (a Jackson 2 tree, as the other checks read it). */
    static List<String> validate(com.fasterxml.jackson.databind.JsonNode doc) {
        JsonNode node = STRICT.readTree(doc.toString());
        String apiVersion = node.path("apiVersion").asString("");
        String kind = node.path("kind").asString("");
        String where = kind + "/" + node.path("metadata").path("name").asString("") + " (" + apiVersion + ")";
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        if (group.equals(STRIMZI_GROUP)) {
            return apiVersion.equals(STRIMZI_VERSION) ? List.of()
                    : List.of(where + ": Strimzi 1.0 and later serve only " + STRIMZI_VERSION + " (the schema itself: deploy/strimzi-tests)");
        }
        Class<?> model = CORE.get(apiVersion + "/" + kind);
        if (model != null) {
            return strict(where, node, model);
        }
        String crd = CRDS.get(group + "/" + kind);
        if (crd != null) {
            List<String> problems = new ArrayList<>(strict(where + " metadata", node.path("metadata"), ObjectMeta.class));
            Optional<Schema> schema = SCHEMAS.computeIfAbsent(crd + "#" + version, k -> crdSchema(crd, version));
            if (schema.isEmpty()) {
                problems.add(where + ": the CRD of " + crd + " serves no version " + version);
                return problems;
            }
            for (Error e : schema.get().validate(node)) {
                problems.add(where + ": " + e.getInstanceLocation() + ": " + e.getMessage());
            }
            return problems;
        }
        return List.of(where + ": no published schema known for this kind (add its model or CRD to ApiSchemas)");
    }

    private static List<String> strict(String where, JsonNode node, Class<?> model) {
        try {
            STRICT.treeToValue(node, model);
            return List.of();
        } catch (JacksonException e) {
            return List.of(where + ": " + e.getOriginalMessage() + " at " + e.getPathReference());
        } catch (IllegalArgumentException e) {
            return List.of(where + ": " + e.getMessage());
        }
    }

    /** The openAPIV3Schema of a served version of the CRD, closed as the API server's strict field validation is. */
    static Optional<Schema> crdSchema(String resource, String version) {
        JsonNode crd;
        try (InputStream in = ApiSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no " + resource + " on the test class path");
            }
            crd = YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asString("").equals(version) && v.path("served").asBoolean(false)) {
                ObjectNode schema = (ObjectNode) v.path("schema").path("openAPIV3Schema").deepCopy();
                close(schema);
                return Optional.of(SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30()).getSchema(schema));
            }
        }
        return Optional.empty();
    }

    /**
     * additionalProperties: false wherever the schema lists properties and keeps no unknown fields: the
     * structural parts only (properties, items, additionalProperties); allOf/anyOf/oneOf/not of a
     * structural schema only constrain fields the structural part declares, and stay open.
     */
    static void close(JsonNode schema) {
        if (!(schema instanceof ObjectNode s)) {
            return;
        }
        if (s.has("properties") && !s.has("additionalProperties")
                && !s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            s.put("additionalProperties", false);
        }
        s.path("properties").forEach(ApiSchemas::close);
        close(s.path("items"));
        close(s.path("additionalProperties"));
    }
}
