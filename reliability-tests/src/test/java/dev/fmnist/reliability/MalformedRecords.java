package dev.fmnist.reliability;

import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The kinds of malformed {@code fmnist.images} records a client, a bug or an attacker can produce, each
 * with the {@code error-class} the inference service must give it on the dead-letter topic. Beyond
 * inference-service's own DeadLetterIT (one record per kind), these run a thousand at a time against
 * the packaged service, interleaved with valid requests, and add tombstones, invalid UTF-8, NaN, huge
 * numbers, wrong JSON types, PNG headers that declare enormous dimensions and oversized records.
 */
final class MalformedRecords {
    /** One kind: its name and how to make the value of a record of it (null: a tombstone). */
    record Kind(String name, String errorClass, java.util.function.IntFunction<byte[]> value) {
    }

    private MalformedRecords() {
    }

    static List<Kind> kinds(byte[] validPixels) {
        String pixels = Base64.getEncoder().encodeToString(validPixels);
        String rest = "\"image\":\"" + pixels + "\",\"model\":\"lenet\",\"explain\":false";
        String json = Reason.INVALID_JSON.code();
        String field = Reason.INVALID_FIELD.code();
        String image = Reason.INVALID_IMAGE.code();
        return List.of(
                new Kind("not-json", json, i -> utf8("this is not JSON, record " + i)),
                new Kind("empty-value", json, i -> new byte[0]),
                new Kind("tombstone", json, i -> null),
                new Kind("json-array", json, i -> utf8("[" + i + ", 2, 3]")),
                new Kind("truncated-json", json, i -> utf8("{\"id\":\"t" + i + "\"," + rest.substring(0, 40))),
                new Kind("missing-id", field, i -> utf8("{" + rest + "}")),
                new Kind("id-of-wrong-type", field, i -> utf8("{\"id\":{\"nested\":" + i + "}," + rest + "}")),
                new Kind("explain-of-wrong-type", field,
                        i -> utf8("{\"id\":\"w" + i + "\",\"image\":\"" + pixels + "\",\"model\":\"lenet\",\"explain\":\"maybe\"}")),
                new Kind("invalid-utf8", json, i -> invalidUtf8(rest)),
                new Kind("nan-label", json, i -> utf8("{\"id\":\"n" + i + "\"," + rest + ",\"trueLabel\":NaN}")),
                new Kind("huge-number-label", field,
                        i -> utf8("{\"id\":\"h" + i + "\"," + rest + ",\"trueLabel\":123456789012345678901234567890}")),
                new Kind("label-out-of-range", field, i -> utf8("{\"id\":\"l" + i + "\"," + rest + ",\"trueLabel\":-3}")),
                new Kind("id-too-long", field, i -> utf8("{\"id\":\"" + "x".repeat(300) + "\"," + rest + "}")),
                new Kind("not-base64", image,
                        i -> utf8("{\"id\":\"b" + i + "\",\"image\":\"@@not base64 " + i + "@@\",\"model\":\"lenet\",\"explain\":false}")),
                new Kind("wrong-pixel-count", image, i -> utf8("{\"id\":\"p" + i + "\",\"image\":\""
                        + Base64.getEncoder().encodeToString(new byte[783]) + "\",\"model\":\"lenet\",\"explain\":false}")),
                new Kind("png-declaring-enormous-dimensions", image, i -> utf8("{\"id\":\"e" + i + "\",\"image\":\""
                        + Base64.getEncoder().encodeToString(pngHeader(1_000_000, 1_000_000))
                        + "\",\"model\":\"lenet\",\"explain\":false}")),
                new Kind("unknown-model", Reason.UNKNOWN_MODEL.code(),
                        i -> utf8("{\"id\":\"u" + i + "\",\"image\":\"" + pixels + "\",\"model\":\"resnet-" + i + "\",\"explain\":false}")),
                new Kind("oversized-record", image, i -> utf8("{\"id\":\"o" + i + "\",\"image\":\""
                        + Base64.getEncoder().encodeToString(random(i, 400_000)) + "\",\"model\":\"lenet\",\"explain\":false}")));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A request whose id holds bytes that are not UTF-8 (0xC3 followed by a byte that cannot continue it). */
    private static byte[] invalidUtf8(String rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"id\":\"bad"));
        out.write(0xC3);
        out.write(0x28);
        out.write(0xFF);
        out.writeBytes(utf8("\"," + rest + "}"));
        return out.toByteArray();
    }

    /** The start of a PNG file whose header chunk declares {@code width} x {@code height} pixels, and no pixel data. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue());
        return png.array();
    }

    private static byte[] random(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        b[0] = 0; // not a PNG or JPEG signature by chance
        return b;
    }
}
