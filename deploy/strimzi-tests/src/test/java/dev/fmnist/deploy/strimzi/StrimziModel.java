package dev.fmnist.deploy.strimzi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.strimzi.api.kafka.model.bridge.KafkaBridge;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.mirrormaker2.KafkaMirrorMaker2;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.rebalance.KafkaRebalance;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.crdgenerator.annotations.Maximum;
import io.strimzi.crdgenerator.annotations.Minimum;
import io.strimzi.crdgenerator.annotations.MinimumItems;
import io.strimzi.crdgenerator.annotations.OneOf;
import io.strimzi.crdgenerator.annotations.Pattern;
import io.strimzi.crdgenerator.annotations.RequiredInVersions;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A rendered kafka.strimzi.io object against Strimzi's own API model (io.strimzi:api, from which
 * Strimzi generates the CRDs it publishes), for the API version Strimzi 1.0 and later serve, v1:
 *
 * <ol>
 *   <li>the apiVersion is {@code kafka.strimzi.io/v1};</li>
 *   <li>strict deserialisation into the kind's model class: an unknown field (also one that v1
 *       removed, such as {@code spec.zookeeper} or {@code spec.kafka.replicas}), a number where a
 *       string belongs, a scalar for a list, an unknown enum value or {@code type} discriminator fail.
 *       The model keeps unknown fields in an additionalProperties map (@JsonAnySetter) and the
 *       operator only warns about them; the API server, with strict field validation, rejects them,
 *       and so does this;</li>
 *   <li>the validation annotations the CRD generator turns into the published schema, for v1:
 *       {@code @Minimum}, {@code @Maximum}, {@code @Pattern}, {@code @MinimumItems}, required
 *       properties ({@code @JsonProperty(required = true)}, {@code @RequiredInVersions}) and
 *       {@code @OneOf}. CEL rules ({@code @CelValidation}) are not evaluated.</li>
 * </ol>
 */
final class StrimziModel {
    static final String API_VERSION = "kafka.strimzi.io/v1";
    /** The API versions in order; an annotation's range names them ("v1+", "v1beta2-v1beta2", "all"). */
    private static final List<String> VERSIONS = List.of("v1alpha1", "v1beta1", "v1beta2", "v1");
    private static final Map<String, Class<?>> KINDS = Map.of(
            "Kafka", Kafka.class,
            "KafkaNodePool", KafkaNodePool.class,
            "KafkaTopic", KafkaTopic.class,
            "KafkaUser", KafkaUser.class,
            "KafkaConnect", KafkaConnect.class,
            "KafkaConnector", KafkaConnector.class,
            "KafkaBridge", KafkaBridge.class,
            "KafkaMirrorMaker2", KafkaMirrorMaker2.class,
            "KafkaRebalance", KafkaRebalance.class);

    static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                    DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
                    DeserializationFeature.FAIL_ON_INVALID_SUBTYPE, DeserializationFeature.FAIL_ON_MISSING_EXTERNAL_TYPE_ID_PROPERTY,
                    DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .build();

    private StrimziModel() {
    }

    static List<String> validate(List<? extends JsonNode> docs) {
        List<String> problems = new ArrayList<>();
        docs.forEach(d -> problems.addAll(validate(d)));
        return problems;
    }

    static List<String> validate(JsonNode doc) {
        String kind = doc.path("kind").asText();
        String where = kind + "/" + doc.path("metadata").path("name").asText();
        String apiVersion = doc.path("apiVersion").asText();
        if (!apiVersion.equals(API_VERSION)) {
            return List.of(where + ": apiVersion " + apiVersion + ": Strimzi 1.0 and later serve only " + API_VERSION);
        }
        Class<?> model = KINDS.get(kind);
        if (model == null) {
            return List.of(where + ": no kind " + kind + " in Strimzi's API model");
        }
        Object resource;
        try {
            resource = STRICT.treeToValue(doc, model);
        } catch (JsonMappingException e) {
            return List.of(where + ": " + e.getOriginalMessage() + " at " + path(e));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return List.of(where + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        walk(where, "", resource, doc, problems);
        return problems;
    }

    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            out.append(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return out.length() == 0 ? "(root)" : out.substring(out.charAt(0) == '.' ? 1 : 0);
    }

    /** The annotations of one model object, then of the model objects inside it. */
    private static void walk(String where, String path, Object bean, JsonNode node, List<String> problems) {
        Class<?> type = bean.getClass();
        OneOf oneOf = type.getAnnotation(OneOf.class);
        if (oneOf != null) {
            long matching = Arrays.stream(oneOf.value()).filter(alt -> Arrays.stream(alt.value())
                    .allMatch(p -> !p.required() || present(node.get(p.value())))).count();
            if (matching != 1) {
                problems.add(where + ": " + display(path) + ": exactly one of " + Arrays.stream(oneOf.value())
                        .map(alt -> Arrays.stream(alt.value()).map(OneOf.Alternative.Property::value).toList().toString()).toList()
                        + " must be given (@OneOf), " + matching + " are");
            }
        }
        BeanDescription description = STRICT.getSerializationConfig().introspect(STRICT.constructType(type));
        for (BeanPropertyDefinition property : description.findProperties()) {
            AnnotatedMember getter = property.getAccessor();
            if (getter == null || property.getName().equals("additionalProperties")) {
                continue;
            }
            String name = property.getName();
            String at = path.isEmpty() ? name : path + "." + name;
            JsonNode child = node == null ? null : node.get(name);
            Object value = get(getter, bean);
            List<AnnotatedElement> sources = new ArrayList<>();
            sources.add(getter.getAnnotated());
            if (property.getField() != null) {
                sources.add(property.getField().getAnnotated());
            }
            boolean required = property.isRequired()
                    || annotations(sources, RequiredInVersions.class).stream().anyMatch(r -> inV1(r.value()));
            if (required && !present(child)) {
                problems.add(where + ": " + at + " is required");
                continue;
            }
            if (!present(child)) {
                continue;
            }
            if (value == null) {
                // an enum whose @JsonCreator answers null for a value it does not know (listener types, for example)
                problems.add(where + ": " + at + " " + child + " is not a value Strimzi knows");
                continue;
            }
            for (Minimum min : annotations(sources, Minimum.class)) {
                if (inV1(min.apiVersions()) && value instanceof Number n && n.doubleValue() < min.value()) {
                    problems.add(where + ": " + at + " is " + n + ", less than the minimum " + min.value());
                }
            }
            for (Maximum max : annotations(sources, Maximum.class)) {
                if (inV1(max.apiVersions()) && value instanceof Number n && n.doubleValue() > max.value()) {
                    problems.add(where + ": " + at + " is " + n + ", more than the maximum " + max.value());
                }
            }
            for (Pattern pattern : annotations(sources, Pattern.class)) {
                if (inV1(pattern.apiVersions()) && value instanceof String s && !java.util.regex.Pattern.compile(pattern.value()).matcher(s).find()) {
                    problems.add(where + ": " + at + " '" + s + "' does not match " + pattern.value());
                }
            }
            for (MinimumItems items : annotations(sources, MinimumItems.class)) {
                if (inV1(items.apiVersions()) && value instanceof Collection<?> c && c.size() < items.value()) {
                    problems.add(where + ": " + at + " has " + c.size() + " items, fewer than " + items.value());
                }
            }
            if (isModel(value)) {
                walk(where, at, value, child, problems);
            } else if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) == null && present(child.get(i))) {
                        problems.add(where + ": " + at + "[" + i + "] " + child.get(i) + " is not a value Strimzi knows");
                    } else if (isModel(list.get(i))) {
                        walk(where, at + "[" + i + "]", list.get(i), child.get(i), problems);
                    }
                }
            }
        }
    }

    private static boolean isModel(Object value) {
        return value != null && value.getClass().getName().startsWith("io.strimzi.api.");
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static String display(String path) {
        return path.isEmpty() ? "(root)" : path;
    }

    private static Object get(AnnotatedMember accessor, Object bean) {
        try {
            if (accessor.getMember() instanceof Method m) {
                m.setAccessible(true);
                return m.invoke(bean);
            }
            java.lang.reflect.Field f = (java.lang.reflect.Field) accessor.getMember();
            f.setAccessible(true);
            return f.get(bean);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + accessor.getFullName(), e);
        }
    }

    private static <A extends Annotation> List<A> annotations(List<AnnotatedElement> sources, Class<A> type) {
        List<A> out = new ArrayList<>();
        for (AnnotatedElement source : sources) {
            out.addAll(Arrays.asList(source.getAnnotationsByType(type)));
        }
        return out;
    }

    /** Whether a range of API versions ("all", "v1+", "v1beta2+", "v1beta2", "v1alpha1-v1beta2") includes v1. */
    static boolean inV1(String range) {
        if (range == null || range.isBlank() || range.equals("all")) {
            return true;
        }
        for (String part : range.split(",")) {
            String r = part.strip();
            if (r.endsWith("+")) {
                if (VERSIONS.indexOf(r.substring(0, r.length() - 1)) <= VERSIONS.indexOf("v1")) {
                    return true;
                }
            } else if (r.contains("-")) {
                String[] ends = r.split("-");
                if (VERSIONS.indexOf(ends[0]) <= VERSIONS.indexOf("v1") && VERSIONS.indexOf(ends[1]) >= VERSIONS.indexOf("v1")) {
                    return true;
                }
            } else if (r.equals("v1")) {
                return true;
            }
        }
        return false;
    }
}
