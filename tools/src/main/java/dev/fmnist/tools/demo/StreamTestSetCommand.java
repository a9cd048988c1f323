package dev.fmnist.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.MessageCodec;
import dev.fmnist.common.messaging.ProtobufMessages;
import dev.fmnist.common.messaging.WireFormat;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.tools.KafkaClients;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job of the one-command stack: streams the official test images through
 * {@code fmnist.images}, asks explanations for an evenly spread sample of them, waits for every
 * prediction on {@code fmnist.predictions} and for those explanations on
 * {@code fmnist.explanations}, and prints accuracy per model, the paper's per-class table, the
 * explanations stored and the throughput.
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Stream the test images through the running stack and print what came back.")
public final class StreamTestSetCommand implements Callable<Integer> {

    @Option(names = "--images", defaultValue = "10000", description = "test images to send (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--explain", defaultValue = "100", description = "of those, how many ask for explanations (default ${DEFAULT-VALUE})")
    int explain;

    @Mixin
    StackOptions stack;

    @Option(names = "--format", defaultValue = "json", converter = FormatConverter.class,
            description = "encoding of the requests: json or protobuf (fmnist.v1.ScoreRequest, content-type "
                    + "application/x-protobuf; the predictions come back the same way) (default ${DEFAULT-VALUE})")
    WireFormat format = WireFormat.JSON;

    /** {@code json} or {@code protobuf}, in any case. */
    public static final class FormatConverter implements picocli.CommandLine.ITypeConverter<WireFormat> {
        @Override
        public WireFormat convert(String value) {
            return WireFormat.parse(value);
        }
    }

    @Option(names = "--idle-timeout", defaultValue = "300", description = "seconds without progress before giving up (default ${DEFAULT-VALUE})")
    int idleTimeoutSeconds;

    private final PrintStream out = System.out;
    /** Told the page of the first explained prediction as soon as its explanation is stored (by 'up'). */
    private Consumer<String> onFirstExplanation = url -> { };
    private DemoTally tally;
    private String explainedPage;

    /** Calls {@code listener} with the web page of the first explained prediction once it is stored. */
    public StreamTestSetCommand onFirstExplanation(Consumer<String> listener) {
        this.onFirstExplanation = listener;
        return this;
    }

    /** What came back, after {@link #call()}. */
    public DemoTally tally() {
        return tally;
    }

    /** The web page of one explained prediction of this stream (the first stored), or null. */
    public String explainedPage() {
        return explainedPage;
    }

    @Override
    public Integer call() {
        if (images < 1 || explain < 0 || explain > images) {
            throw new IllegalArgumentException("--images must be >= 1 and --explain between 0 and --images");
        }
        LabelledImages test = FashionMnist.load().test();
        int n = Math.min(images, test.size());
        byte[] labels = Arrays.copyOf(test.labels(), n);
        boolean[] asked = sample(n, explain);
        Map<String, Set<String>> methods = new LinkedHashMap<>(DemoTally.defaultMethods());
        methods.keySet().retainAll(stack.models);
        tally = new DemoTally(labels, stack.models, methods, asked);
        String prefix = "demo-" + Instant.now().toEpochMilli() + "-";

        out.printf(Locale.ROOT, "streaming %,d test images to %s (%d ask for explanations); models %s%n", n,
                Topics.IMAGES, explain, stack.models);
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.tailFromNow(stack.kafka.settings(), Topics.PREDICTIONS,
                Topics.EXPLANATIONS);
             KafkaProducer<String, byte[]> producer = KafkaClients.producer(stack.kafka.settings())) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ScoreRequest request = new ScoreRequest(prefix + i, test.image(i), "all", asked[i], Instant.now(),
                        (int) labels[i]);
                producer.send(new ProducerRecord<>(Topics.IMAGES, null, request.id(),
                        MessageCodec.write(request, format), MessageCodec.headers(request, format)));
            }
            producer.flush();
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            long lastProgress = System.nanoTime();
            long predictionsDone = 0;
            int last = -1;
            while (!tally.complete() && System.nanoTime() - lastProgress < idleTimeoutSeconds * 1_000_000_000L) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    int explained = read(r, prefix, tally);
                    if (explained >= 0 && explainedPage == null) {
                        explainedPage = stack.explainerUrl + "/#/prediction/" + prefix + explained;
                        out.println();
                        onFirstExplanation.accept(explainedPage);
                    }
                }
                int progress = tally.predictions() + tally.explanations();
                if (progress != last) {
                    last = progress;
                    lastProgress = System.nanoTime();
                    if (predictionsDone == 0 && tally.predictions() == tally.expectedPredictions()) {
                        predictionsDone = System.nanoTime();
                    }
                }
                printProgress(tally, (System.nanoTime() - start) / 1e9);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double scoringSeconds = ((predictionsDone == 0 ? System.nanoTime() : predictionsDone) - start) / 1e9;
            out.println();
            printSummary(tally, n, sendSeconds, scoringSeconds, seconds);
            if (!tally.complete()) {
                out.printf(Locale.ROOT, "INCOMPLETE: nothing new for %d s; see the services' logs (runs/latest/)%n",
                        idleTimeoutSeconds);
                return 1;
            }
            return 0;
        }
    }

    /** Counts one record; returns the request's index when it was a newly counted explanation, else -1. */
    private static int read(ConsumerRecord<String, byte[]> r, String prefix, DemoTally tally) {
        String key = r.key();
        if (key == null || !key.startsWith(prefix)) {
            return -1;
        }
        int index;
        try {
            index = Integer.parseInt(key, prefix.length(), key.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
        if (Topics.PREDICTIONS.equals(r.topic()) && isProtobuf(r)) {
            dev.fmnist.common.messaging.proto.Prediction p;
            try {
                p = dev.fmnist.common.messaging.proto.Prediction.parseFrom(r.value());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                return -1;
            }
            tally.prediction(index, p.getModelName(), p.getLabel());
            return -1;
        }
        // only a few fields are needed: read the tree, not the whole validated record
        JsonNode node;
        try {
            node = Json.mapper().readTree(r.value());
        } catch (java.io.IOException e) {
            return -1;
        }
        String model = node.path("model").path("name").asText();
        if (Topics.PREDICTIONS.equals(r.topic())) {
            tally.prediction(index, model, node.path("label").asInt(-1));
            return -1;
        }
        int before = tally.explanations();
        tally.explanation(index, model, node.path("method").asText());
        return tally.explanations() > before ? index : -1;
    }

    /** Whether a prediction came as Protobuf (its content-type header; none: JSON). */
    private static boolean isProtobuf(ConsumerRecord<String, byte[]> r) {
        try {
            return WireFormat.of(r.headers(), ProtobufMessages.PREDICTION) == WireFormat.PROTOBUF;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code count} of {@code n} requests, evenly spread. */
    static boolean[] sample(int n, int count) {
        boolean[] asked = new boolean[n];
        for (int k = 0; k < count; k++) {
            asked[(int) ((long) k * n / count)] = true;
        }
        return asked;
    }

    private void printProgress(DemoTally tally, double seconds) {
        int width = 30;
        int filled = (int) ((long) width * tally.predictions() / Math.max(1, tally.expectedPredictions()));
        out.printf(Locale.ROOT, "\r[%s%s] predictions %,d/%,d  explanations %,d/%,d  %5.0f s", "#".repeat(filled),
                "-".repeat(width - filled), tally.predictions(), tally.expectedPredictions(), tally.explanations(),
                tally.expectedExplanations(), seconds);
        out.flush();
    }

    private void printSummary(DemoTally tally, int n, double sendSeconds, double scoringSeconds, double seconds) {
        out.printf(Locale.ROOT, "%nTest accuracy per class, from the predictions that came back over Kafka:%n%n%s%n",
                tally.perClassTable());
        out.printf(Locale.ROOT, "Sent %,d requests in %.1f s; all %,d predictions back after %.1f s: %,.0f images/s, %,.0f predictions/s%s%n",
                n, sendSeconds, tally.predictions(), scoringSeconds, n / scoringSeconds,
                tally.predictions() / scoringSeconds,
                tally.duplicates() > 0 ? " (" + tally.duplicates() + " duplicates delivered and ignored)" : "");
        out.printf(Locale.ROOT, "Explanations stored for the %d requests that asked: %,d of %,d after %.1f s %s%n",
                explain, tally.explanations(), tally.expectedExplanations(), seconds, tally.explanationsByMethod());
        if (explainedPage != null) {
            out.printf(Locale.ROOT, "See one: %s%n", explainedPage);
        }
    }
}
