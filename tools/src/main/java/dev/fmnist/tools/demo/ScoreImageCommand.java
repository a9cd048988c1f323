package dev.fmnist.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.tools.KafkaClients;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Sends one photo through Kafka (the paper's out-of-sample bag), prints each model's top classes
 * and, once stored, where its explanations can be seen.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify one PNG or JPEG file through Kafka and print each model's answer.")
public final class ScoreImageCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "a PNG or JPEG file, any size")
    Path image;

    @Mixin
    StackOptions stack;

    @Option(names = "--timeout", defaultValue = "120", description = "seconds to wait for predictions and explanations (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("no such file: " + image);
        }
        byte[] file = Files.readAllBytes(image);
        String id = "score-" + UUID.randomUUID();
        ScoreRequest request = new ScoreRequest(id, Base64.getEncoder().encodeToString(file), "all", true,
                Instant.now(), null);
        List<JsonNode> predictions = new ArrayList<>();
        List<JsonNode> explanations = new ArrayList<>();
        int expectedExplanations = stack.models.stream()
                .mapToInt(m -> DemoTally.defaultMethods().getOrDefault(m, java.util.Set.of()).size()).sum();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.tailFromNow(stack.kafka.settings(), Topics.PREDICTIONS,
                Topics.EXPLANATIONS, Topics.IMAGES_DLQ);
             KafkaProducer<String, byte[]> producer = KafkaClients.producer(stack.kafka.settings())) {
            producer.send(new ProducerRecord<>(Topics.IMAGES, id, Json.write(request)));
            producer.flush();
            out.printf(Locale.ROOT, "sent %s (%,d bytes) as request %s%n", image.getFileName(), file.length, id);
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            boolean printed = false;
            while (System.nanoTime() < deadline && explanations.size() < expectedExplanations) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (!id.equals(r.key())) {
                        continue;
                    }
                    if (Topics.IMAGES_DLQ.equals(r.topic())) {
                        String reason = new String(r.headers().lastHeader(Topics.HEADER_ERROR_MESSAGE).value(),
                                java.nio.charset.StandardCharsets.UTF_8);
                        out.println("refused: " + reason);
                        return 2;
                    }
                    JsonNode node = Json.mapper().readTree(r.value());
                    (Topics.PREDICTIONS.equals(r.topic()) ? predictions : explanations).add(node);
                }
                if (!printed && predictions.size() >= stack.models.size()) {
                    printPredictions(predictions);
                    printed = true;
                    out.println("waiting for the explanations...");
                }
            }
            if (!printed) {
                printPredictions(predictions);
            }
        }
        for (JsonNode e : explanations) {
            out.printf(Locale.ROOT, "  %-8s %-12s %s/api/explanations/%d/heatmap.png%n", e.path("model").path("name").asText(),
                    e.path("method").asText(), stack.explainerUrl, e.path("explanationId").asLong());
        }
        out.printf(Locale.ROOT, "all of it: %s/api/predictions/%s%n", stack.explainerUrl, id);
        out.printf(Locale.ROOT, "on the web page: %s/#/prediction/%s%n", stack.explainerUrl, id);
        return predictions.size() >= stack.models.size() && explanations.size() >= expectedExplanations ? 0 : 1;
    }

    private void printPredictions(List<JsonNode> predictions) {
        if (predictions.isEmpty()) {
            out.println("no prediction arrived within " + timeoutSeconds + " s (is the stack up? './fmnist status')");
            return;
        }
        predictions.sort(Comparator.comparing(p -> p.path("model").path("name").asText()));
        for (JsonNode p : predictions) {
            JsonNode probs = p.path("probabilities");
            String top = IntStream.range(0, FashionClass.COUNT).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -probs.get(c).asDouble())).limit(3)
                    .map(c -> String.format(Locale.ROOT, "%s %.1f %%", FashionClass.ofLabel(c).displayName(),
                            100 * probs.get(c).asDouble()))
                    .reduce((a, b) -> a + ", " + b).orElse("");
            out.printf(Locale.ROOT, "%-8s v%-3d %-12s (%s)%n", p.path("model").path("name").asText(),
                    p.path("model").path("version").asInt(), p.path("className").asText(), top);
        }
    }
}
