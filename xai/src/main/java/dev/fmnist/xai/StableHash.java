package dev.fmnist.xai;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Hashes that are the same on every JVM, instance and run (unlike {@link String#hashCode()} mixed
 * with anything random): the first 8 bytes of the SHA-256 of the UTF-8 text. Sampling and the seeds
 * of the explanations come from them, so a replayed prediction is sampled and explained the same way.
 */
public final class StableHash {
    private StableHash() {
    }

    /** 64 bits of the SHA-256 of {@code text}. */
    public static long of(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A number in [0, 1) from the hash of {@code text}, uniform over texts. */
    public static double unit(String text) {
        return (of(text) >>> 11) * 0x1.0p-53;
    }

    /** The seed of one explanation: the request id and the method (the same for every model of the request). */
    public static long seed(String requestId, String method) {
        return of(requestId + '\u0000' + method);
    }
}
