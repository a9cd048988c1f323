package dev.fmnist.tools.load;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.MessageCodec;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Validated;
import dev.fmnist.common.messaging.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What producer compression does to the two high-volume topics, JSON against Protobuf: the test images as
 * {@code fmnist.images} requests and as {@code fmnist.predictions} records, packed into record batches the way the
 * producers pack them (Kafka's own {@link MemoryRecordsBuilder}, up to {@code batch.size} 256 KiB, the services'
 * setting), with no compression, lz4 and zstd. It reports the bytes on the wire per record, and how fast one core
 * compresses (producer) and reads back (consumer) the batches. No broker: the figures are the codec's, not the
 * network's; the load generator's {@code --compression} measures the end-to-end effect.
 */
@Command(name = "compression", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Bytes on the wire and codec speed of none/lz4/zstd for JSON and Protobuf records (no broker).")
public final class CompressionCommand implements Callable<Integer> {
    static final int BATCH_BYTES = 262_144;
    static final List<String> CODECS = List.of("none", "lz4", "zstd");

    @Option(names = "--images", defaultValue = "10000", description = "test images to encode (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--rounds", defaultValue = "5", description = "timed passes over them, after one warm-up (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--json", description = "also write the figures to this JSON file")
    Path json;

    /** One topic, format and codec. */
    public record Result(String topic, String format, String compression, int records, double bytesPerRecord,
                         double ratio, double compressMbPerSecond, double decompressMbPerSecond) {
    }

    @Override
    public Integer call() throws Exception {
        LabelledImages test = FashionMnist.load().test();
        int n = Math.min(images, test.size());
        List<Result> results = new ArrayList<>();
        for (String topic : List.of("fmnist.images", "fmnist.predictions")) {
            for (WireFormat format : WireFormat.values()) {
                List<byte[]> values = new ArrayList<>(n);
                List<Header[]> headers = new ArrayList<>(n);
                List<byte[]> keys = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Validated message = topic.equals("fmnist.images") ? request(test, i) : prediction(test, i);
                    values.add(MessageCodec.write(message, format));
                    headers.add(MessageCodec.headers(message, format).toArray(Header[]::new));
                    keys.add(("lg-" + i).getBytes(StandardCharsets.UTF_8));
                }
                double raw = -1;
                for (String codec : CODECS) {
                    Result r = measure(topic, format, codec, keys, values, headers);
                    if (raw < 0) {
                        raw = r.bytesPerRecord();
                    }
                    results.add(new Result(r.topic(), r.format(), r.compression(), r.records(), r.bytesPerRecord(),
                            r.bytesPerRecord() / raw, r.compressMbPerSecond(), r.decompressMbPerSecond()));
                }
            }
        }
        System.out.println("| topic | format | compression | bytes/record on the wire | vs uncompressed "
                + "| compress MB/s (1 core) | decompress MB/s |");
        System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %,.0f | %.2f | %,.0f | %,.0f |%n", r.topic(), r.format(),
                    r.compression(), r.bytesPerRecord(), r.ratio(), r.compressMbPerSecond(), r.decompressMbPerSecond());
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("images", n);
            doc.put("batchBytes", BATCH_BYTES);
            doc.put("results", results);
            doc.put("measuredAt", Instant.now().toString());
            if (json.getParent() != null) {
                Files.createDirectories(json.getParent());
            }
            Files.write(json, Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        }
        return 0;
    }

    static ScoreRequest request(LabelledImages test, int i) {
        return new ScoreRequest("lg-" + i, test.image(i), "lenet", false, Instant.now(), test.label(i));
    }

    /** A prediction as inference writes one: a peaked softmax (the usual shape of a trained model's output). */
    static Prediction prediction(LabelledImages test, int i) {
        Random random = new Random(i);
        int label = test.label(i);
        float[] p = new float[FashionClass.COUNT];
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = (float) Math.exp((k == label ? 8 : 0) + random.nextGaussian() * 2);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= (float) sum;
        }
        return new Prediction("lg-" + i, new ModelRef("lenet", 3), label, FashionClass.ofLabel(label).displayName(), p,
                Pixels.toBase64(test.image(i)), Instant.now(), 1.5 + random.nextDouble() * 20, false, label);
    }

    private Result measure(String topic, WireFormat format, String codec, List<byte[]> keys, List<byte[]> values,
                           List<Header[]> headers) {
        Compression compression = Compression.of(codec).build();
        long uncompressed = 0;
        for (int i = 0; i < values.size(); i++) {
            uncompressed += keys.get(i).length + values.get(i).length;
        }
        long wire = 0;
        long compressNanos = Long.MAX_VALUE;
        long decompressNanos = Long.MAX_VALUE;
        for (int round = 0; round <= rounds; round++) {
            long t0 = System.nanoTime();
            List<MemoryRecords> batches = batches(compression, keys, values, headers);
            long t1 = System.nanoTime();
            long read = 0;
            for (MemoryRecords batch : batches) {
                for (RecordBatch b : batch.batches()) {
                    for (Record r : b) {
                        read += r.valueSize();
                    }
                }
            }
            long t2 = System.nanoTime();
            if (read == 0) {
                throw new IllegalStateException("no records read back");
            }
            if (round > 0) { // the first pass warms the JIT
                compressNanos = Math.min(compressNanos, t1 - t0);
                decompressNanos = Math.min(decompressNanos, t2 - t1);
            }
            wire = batches.stream().mapToLong(MemoryRecords::sizeInBytes).sum();
        }
        return new Result(topic, format.name().toLowerCase(Locale.ROOT), codec, values.size(),
                (double) wire / values.size(), 1, uncompressed / 1e6 / (compressNanos / 1e9),
                uncompressed / 1e6 / (decompressNanos / 1e9));
    }

    private static List<MemoryRecords> batches(Compression compression, List<byte[]> keys, List<byte[]> values,
                                               List<Header[]> headers) {
        List<MemoryRecords> out = new ArrayList<>();
        MemoryRecordsBuilder builder = null;
        long now = System.currentTimeMillis();
        for (int i = 0; i < values.size(); i++) {
            if (builder != null && !builder.hasRoomFor(now, keys.get(i), values.get(i), headers.get(i))) {
                out.add(builder.build());
                builder = null;
            }
            if (builder == null) {
                builder = MemoryRecords.builder(ByteBuffer.allocate(BATCH_BYTES), compression,
                        TimestampType.CREATE_TIME, 0L);
            }
            builder.append(now, keys.get(i), values.get(i), headers.get(i));
        }
        if (builder != null) {
            out.add(builder.build());
        }
        return out;
    }
}
