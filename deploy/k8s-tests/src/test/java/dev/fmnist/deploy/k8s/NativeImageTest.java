package dev.fmnist.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GraalVM metadata of each service (META-INF/native-image) names classes, constructors, fields and
 * resources that exist in the pinned ONNX Runtime, XGBoost4J and common, and the container files follow
 * the services' ports. A native build itself needs GraalVM or a builder container (docs/deploy.md).
 */
class NativeImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<?>> PRIMITIVES = Map.of("int", int.class, "long", long.class, "boolean", boolean.class,
            "float", float.class, "double", double.class, "byte", byte.class, "short", short.class, "char", char.class);

    static Path metadata(String service) {
        return Repo.service(service).resolve("src/main/resources/META-INF/native-image/dev.fmnist").resolve(service);
    }

    @ParameterizedTest
    @ValueSource(strings = {"trainer-service", "inference-service", "explainer-service"})
    void reflectionCoversEveryMessageRecord(String service) throws Exception {
        JsonNode reflect = JSON.readTree(metadata(service).resolve("reflect-config.json").toFile());
        Set<String> registered = new TreeSet<>();
        for (JsonNode entry : reflect) {
            Class<?> type = load(entry.path("name").asText());
            registered.add(type.getName());
            assertThat(entry.path("allDeclaredConstructors").asBoolean() && entry.path("allDeclaredFields").asBoolean()
                    && entry.path("allDeclaredMethods").asBoolean()).as(type + ": Jackson needs constructors, fields and accessors").isTrue();
        }
        // every top-level record of common's messaging package is a JSON message (Json.read/write); nested ones
        // (ProtobufMessages.RawScoreRequest, a Protobuf request with its image bytes) never go through Jackson
        Path messaging = Repo.ROOT.resolve("common/src/main/java/dev/fmnist/common/messaging");
        Set<String> records = new TreeSet<>();
        try (Stream<Path> files = Files.list(messaging)) {
            for (Path f : files.toList()) {
                Matcher m = Pattern.compile("(?m)^public record (\\w+)\\(").matcher(Repo.read(f));
                while (m.find()) {
                    records.add("dev.fmnist.common.messaging." + m.group(1));
                }
            }
        }
        assertThat(records).isNotEmpty();
        assertThat(registered).containsAll(records);
    }

    @ParameterizedTest
    @ValueSource(strings = {"trainer-service", "inference-service", "explainer-service"})
    void jniMetadataNamesRealConstructorsMethodsAndFields(String service) throws Exception {
        JsonNode jni = JSON.readTree(metadata(service).resolve("jni-config.json").toFile());
        Set<String> classes = new TreeSet<>();
        for (JsonNode entry : jni) {
            Class<?> type = load(entry.path("name").asText());
            classes.add(type.getName());
            for (JsonNode method : entry.path("methods")) {
                List<Class<?>> params = new ArrayList<>();
                for (JsonNode p : method.path("parameterTypes")) {
                    params.add(load(p.asText()));
                }
                Class<?>[] types = params.toArray(Class<?>[]::new);
                String name = method.path("name").asText();
                if (name.equals("<init>")) {
                    assertThat(type.getDeclaredConstructor(types)).as(type + " constructor " + params).isNotNull();
                } else {
                    assertThat(type.getMethod(name, types)).as(type + "." + name + params).isNotNull();
                }
            }
            for (JsonNode field : entry.path("fields")) {
                assertThat(type.getDeclaredField(field.path("name").asText())).isNotNull();
            }
        }
        // what the JNI libraries look up (FindClass / GetMethodID / GetFieldID in ONNX Runtime 1.23 and XGBoost4J 3.4)
        assertThat(classes).contains("ai.onnxruntime.OnnxTensor", "ai.onnxruntime.TensorInfo", "ai.onnxruntime.OrtException",
                "ai.onnxruntime.NodeInfo", "ai.onnxruntime.OnnxModelMetadata", "ml.dmlc.xgboost4j.java.DataBatch", "java.util.Iterator");
    }

    @ParameterizedTest
    @ValueSource(strings = {"trainer-service", "inference-service", "explainer-service"})
    void resourcesIncludeTheLinuxNativeLibraries(String service) throws Exception {
        JsonNode config = JSON.readTree(metadata(service).resolve("resource-config.json").toFile());
        List<Pattern> patterns = new ArrayList<>();
        config.path("resources").path("includes").forEach(i -> patterns.add(Pattern.compile(i.path("pattern").asText())));
        List<String> entries = new ArrayList<>();
        for (Class<?> inJar : new Class<?>[] {ai.onnxruntime.OnnxValue.class, ml.dmlc.xgboost4j.java.DMatrix.class}) {
            try (JarFile jar = new JarFile(Path.of(inJar.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile())) {
                jar.stream().forEach(e -> entries.add(e.getName()));
            }
        }
        for (Pattern p : patterns) {
            assertThat(entries).as("pattern " + p + " matches nothing in the engine jars").anyMatch(e -> p.matcher(e).matches());
        }
        for (String needed : List.of("ai/onnxruntime/native/linux-x64/libonnxruntime.so", "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so",
                "lib/linux/x86_64/libxgboost4j.so")) {
            assertThat(entries).contains(needed);
            assertThat(patterns).as(needed + " must be in the executable").anyMatch(p -> p.matcher(needed).matches());
        }
        assertThat(patterns).as("macOS and Windows libraries stay out of a Linux executable")
                .noneMatch(p -> p.matcher("ai/onnxruntime/native/osx-x64/libonnxruntime.dylib").matches()
                        || p.matcher("ai/onnxruntime/native/win-x64/onnxruntime.dll").matches());

        Properties props = new Properties();
        try (var in = Files.newBufferedReader(metadata(service).resolve("native-image.properties"))) {
            props.load(in);
        }
        assertThat(props.getProperty("Args")).contains("--initialize-at-run-time=").contains("ai.onnxruntime").contains("ml.dmlc.xgboost4j.java");
    }

    @ParameterizedTest
    @ValueSource(strings = {"trainer-service", "inference-service", "explainer-service"})
    void dockerfilesFollowQuarkusConventionsAndTheServicePort(String service) throws IOException {
        Path docker = Repo.service(service).resolve("src/main/docker");
        int port = Checks.config(service).httpPort();
        String jvm = Repo.read(docker.resolve("Dockerfile.jvm"));
        String nativeMicro = Repo.read(docker.resolve("Dockerfile.native-micro"));
        assertThat(jvm).contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/", "EXPOSE " + port,
                "/opt/jboss/container/java/run/run-java.sh", "libgomp");
        assertThat(lastUser(jvm)).isEqualTo("185");
        assertThat(nativeMicro).contains("target/*-runner", "EXPOSE " + port, "libgomp", "-Dquarkus.http.host=0.0.0.0");
        assertThat(lastUser(nativeMicro)).isEqualTo("1001");
        if (service.equals("inference-service")) {
            String cuda = Repo.read(docker.resolve("Dockerfile.jvm-cuda"));
            assertThat(cuda).contains("-Pcuda", "EXPOSE " + port, "JAVA_MAX_MEM_RATIO");
            assertThat(lastUser(cuda)).isEqualTo("185");
        }
    }

    private static String lastUser(String dockerfile) {
        String user = null;
        for (String line : dockerfile.split("\n")) {
            if (line.startsWith("USER ")) {
                user = line.substring(5).strip();
            }
        }
        return user;
    }

    private static Class<?> load(String name) throws ClassNotFoundException {
        if (name.endsWith("[]")) {
            return Array.newInstance(load(name.substring(0, name.length() - 2)), 0).getClass();
        }
        Class<?> primitive = PRIMITIVES.get(name);
        return primitive != null ? primitive : Class.forName(name, false, NativeImageTest.class.getClassLoader());
    }
}
