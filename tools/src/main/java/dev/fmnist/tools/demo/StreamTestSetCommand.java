package dev.fmnist.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
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

    @Option(names = "--explain", defaultValue = "200", description = "of those, how many ask for explanations (default ${DEFAULT-VALUE})")
    int explain;

    @Mixin
    StackOptions stack;

    @Option(names = "--idle-timeout", defaultValue = "300", description = "seconds without progress before giving up (default ${DEFAULT-VALUE})")
    int idleTimeoutSeconds;

    private final PrintStream out = System.out;

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
        DemoTally tally = new DemoTally(labels, stack.models, methods, asked);
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
                producer.send(new ProducerRecord<>(Topics.IMAGES, request.id(), Json.write(request)));
            }
            producer.flush();
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            long lastProgress = System.nanoTime();
            long predictionsDone = 0;
            int last = -1;
            while (!tally.complete() && System.nanoTime() - lastProgress < idleTimeoutSeconds * 1_000_000_000L) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    read(r, prefix, tally);
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
            printSummary(tally, n, sendSeconds, scoringSeconds, seconds, prefix, asked);
            if (!tally.complete()) {
                out.printf(Locale.ROOT, "INCOMPLETE: nothing new for %d s; see the services' logs (runs/latest/)%n",
                        idleTimeoutSeconds);
                return 1;
            }
            return 0;
        }
    }

    private static void read(ConsumerRecord<String, byte[]> r, String prefix, DemoTally tally) {
        String key = r.key();
        if (key == null || !key.startsWith(prefix)) {
            return;
        }
        int index;
        try {
            index = Integer.parseInt(key, prefix.length(), key.length(), 10);
        } catch (NumberFormatException e) {
            return;
        }
        // only a few fields are needed: read the tree, not the whole validated record
        JsonNode node;
        try {
            node = Json.mapper().readTree(r.value());
        } catch (java.io.IOException e) {
            return;
        }
        String model = node.path("model").path("name").asText();
        if (Topics.PREDICTIONS.equals(r.topic())) {
            tally.prediction(index, model, node.path("label").asInt(-1));
        } else {
            tally.explanation(index, model, node.path("method").asText());
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

    private void printSummary(DemoTally tally, int n, double sendSeconds, double scoringSeconds, double seconds,
                              String prefix, boolean[] asked) {
        out.printf(Locale.ROOT, "%nTest accuracy per class, from the predictions that came back over Kafka:%n%n%s%n",
                tally.perClassTable());
        out.printf(Locale.ROOT, "Sent %,d requests in %.1f s; all %,d predictions back after %.1f s: %,.0f images/s, %,.0f predictions/s%s%n",
                n, sendSeconds, tally.predictions(), scoringSeconds, n / scoringSeconds,
                tally.predictions() / scoringSeconds,
                tally.duplicates() > 0 ? " (" + tally.duplicates() + " duplicates delivered and ignored)" : "");
        out.printf(Locale.ROOT, "Explanations stored for the %d requests that asked: %,d of %,d after %.1f s %s%n",
                explain, tally.explanations(), tally.expectedExplanations(), seconds, tally.explanationsByMethod());
        for (int i = 0; i < asked.length; i++) {
            if (asked[i]) {
                out.printf(Locale.ROOT, "See one: %s/#/prediction/%s%s%n", stack.explainerUrl, prefix, i);
                break;
            }
        }
    }
}
