package dev.fmnist.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Lz4NativesTest {

    /**
     * lz4-java on a class loader of its own, as in a Quarkus application: Kafka's {@code fastestInstance()} gives the
     * Java codec until the native library is loaded, then the native one.
     */
    @Test
    void kafkasLz4CodecIsTheNativeOneOnceLoadedEvenOffTheSystemClassLoader() throws Exception {
        URL[] classpath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(p -> {
                    try {
                        return java.nio.file.Path.of(p).toUri().toURL();
                    } catch (java.net.MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                }).toArray(URL[]::new);
        try (URLClassLoader own = new URLClassLoader(classpath, ClassLoader.getPlatformClassLoader())) {
            Class<?> factory = own.loadClass("net.jpountz.lz4.LZ4Factory");
            assertThat(factory.getClassLoader()).isNotSameAs(ClassLoader.getSystemClassLoader());
            assertThat(factory.getMethod("fastestInstance").invoke(null).toString()).isEqualTo("LZ4Factory:JavaSafe");

            Object codec = own.loadClass(Lz4Natives.class.getName()).getMethod("load").invoke(null);

            assertThat(codec).isEqualTo("LZ4Factory:JNI");
            assertThat(factory.getMethod("fastestInstance").invoke(null).toString()).isEqualTo("LZ4Factory:JNI");
        }
    }
}
