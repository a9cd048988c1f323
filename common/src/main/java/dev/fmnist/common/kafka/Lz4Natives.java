package dev.fmnist.common.kafka;

import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;
import org.jboss.logging.Logger;

/**
 * Makes Kafka's lz4 codec use the native LZ4 library (JNI, bundled in lz4-java) inside the services.
 *
 * <p>Why: Kafka asks lz4-java for {@code LZ4Factory.fastestInstance()}, which gives the native codec only when the
 * library was loaded or lz4-java sits on the system class loader. In a Quarkus application it sits on Quarkus' own
 * class loader, so every record batch was compressed and decompressed by the pure-Java "safe" codec instead: the top
 * Java frames of inference-service under Kafka load (9 of 35 samples in one profile). Loading the native library once
 * makes {@code fastestInstance()} return it from then on. Where it cannot be loaded (an unusual platform, a native
 * image), Kafka goes on with the Java codec and one log line says why.
 */
public final class Lz4Natives {
    private static final Logger LOG = Logger.getLogger(Lz4Natives.class);
    private static String codec; // guarded by the class: load() is synchronized

    private Lz4Natives() {
    }

    /** Loads the native codec once; returns what Kafka's lz4 uses now ({@code JNI} or the Java codec's name). */
    public static synchronized String load() {
        if (codec == null) {
            try {
                LZ4Factory.nativeInstance();
                XXHashFactory.nativeInstance(); // the lz4 frame's checksums
                codec = LZ4Factory.fastestInstance().toString();
                LOG.infof("Kafka's lz4 codec: %s (native library loaded)", codec);
            } catch (LinkageError | AssertionError | RuntimeException e) {
                // no library for this platform (UnsatisfiedLinkError) or one that fails lz4-java's own self-test
                // (AssertionError): the Java codec still works
                codec = LZ4Factory.fastestInstance().toString();
                LOG.infof("Kafka's lz4 codec: %s; the native LZ4 library could not be loaded (%s)", codec, e);
            }
        }
        return codec;
    }
}
