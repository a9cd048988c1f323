package dev.fmnist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A newcomer's path, as the README gives it: {@code up} (ToolsMain, the program behind {@code ./fmnist up}, on
 * ports, a database and a run folder of its own) on an empty registry. It trains lenet first, announces the first
 * explained prediction, trains xgboost in the background, and ends with the summary and three things to try.
 * Each of the three is then done as printed: the prediction page opens in Chromium and shows its heatmaps (the
 * README's screenshot is taken here), the photo is scored through Kafka, the OIP request answers.
 */
class NewcomerPathIT {
    private static final Path ROOT = Platform.WORK_DIR.getParent().getParent();
    private static final Path LOG = Platform.WORK_DIR.resolve("newcomer-up.log");
    private static final Pattern FIRST = Pattern.compile(
            "first explained prediction on the web page \\((\\d+) s after the (?:start|build)\\): (\\S+)");

    private static Process up;
    private static Map<String, String> env;
    private static String summary;

    @BeforeAll
    static void upOnAnEmptyRegistry() throws Exception {
        PostgresDatabaseTestResource.Database db = PostgresDatabaseTestResource.freshDatabase();
        env = Map.of("FMNIST_KAFKA_PORT", freePort(), "FMNIST_KAFKA_CONTROLLER_PORT", freePort(),
                "FMNIST_TRAINER_PORT", freePort(), "FMNIST_INFERENCE_PORT", freePort(),
                "FMNIST_EXPLAINER_PORT", freePort(), "FMNIST_INFERENCE_GRPC_PORT", freePort(),
                "QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl(),
                "FMNIST_RUNS_DIR", Platform.WORK_DIR.resolve("newcomer-runs").toString());
        up = tools(List.of("up", "--models", "lenet,xgboost", "--images", "300", "--explain", "3"), LOG);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!log().contains("Three things to try:")) {
            assertThat(up.isAlive()).as("up exited early; see " + LOG + ":\n" + log()).isTrue();
            assertThat(System.nanoTime()).as("no summary within 10 minutes; see " + LOG).isLessThan(deadline);
            Thread.sleep(1000);
        }
        Thread.sleep(500); // the rest of the summary
        summary = log();
    }

    @AfterAll
    static void down() throws Exception {
        if (up != null && up.isAlive()) {
            up.destroy(); // SIGTERM: up's shutdown hook stops the services, then the broker
            if (!up.waitFor(90, TimeUnit.SECONDS)) {
                up.destroyForcibly();
            }
        }
    }

    @Test
    void theFirstExplanationComesFromLenetBeforeTheBackgroundTrainingEnds() {
        Matcher first = FIRST.matcher(summary);
        assertThat(first.find()).as("the first explained prediction is announced:\n" + summary).isTrue();
        int firstAt = summary.indexOf(first.group());
        // lenet trained in the foreground, xgboost in the background, registered after the first explanation
        assertThat(summary.indexOf("lenet registered")).isBetween(0, firstAt);
        assertThat(summary).contains("first look: ");
        assertThat(summary.indexOf("xgboost registered after")).isGreaterThan(firstAt);
        // the full stream reached both models: the summary's table has a column for each
        assertThat(summary).contains("| class | lenet | xgboost |");
    }

    @Test
    void theExplainedPredictionOpensAndShowsItsHeatmaps() throws Exception {
        String page = thingToTry(1);
        WebDriver browser = Browser.chromium();
        try {
            browser.get(page);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(StaleElementReferenceException.class);
            // lenet's LIME and KernelSHAP over the image, drawn
            wait.until(d -> {
                List<WebElement> maps = d.findElements(By.cssSelector("[data-testid=heatmap]"));
                return maps.size() >= 2 && maps.stream().allMatch(m -> Browser.loaded(d, m));
            });
            assertThat(Browser.loaded(browser, browser.findElement(By.cssSelector("[data-testid=request-image]")))).isTrue();
            assertThat(browser.findElements(By.cssSelector("[data-testid=heatmap]")))
                    .extracting(m -> m.getDomAttribute("data-method")).contains("lime", "kernel_shap");
            Path shots = Files.createDirectories(Platform.WORK_DIR.resolve("screenshots"));
            // the README's screenshot (docs/images/prediction-page.png is a copy of this file)
            Files.write(shots.resolve("prediction-page.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }

    @Test
    void thePrintedScoreCommandClassifiesThePhoto() throws Exception {
        // "./fmnist score PHOTO --models ..." is the fmnist script over ToolsMain score, with the stack's broker
        List<String> printed = List.of(thingToTry(2).split("\\s+"));
        assertThat(printed.subList(0, 2)).containsExactly("./fmnist", "score");
        Path photo = ROOT.resolve(printed.get(2));
        assertThat(photo).isRegularFile();
        List<String> args = new ArrayList<>(List.of("score", photo.toString(), "--bootstrap",
                "127.0.0.1:" + env.get("FMNIST_KAFKA_PORT"), "--explainer-url",
                "http://127.0.0.1:" + env.get("FMNIST_EXPLAINER_PORT")));
        args.addAll(printed.subList(3, printed.size()));
        Path out = Platform.WORK_DIR.resolve("newcomer-score.log");
        Process score = tools(args, out);
        assertThat(score.waitFor(3, TimeUnit.MINUTES)).as("score finished").isTrue();
        String text = Files.readString(out);
        assertThat(score.exitValue()).as(text).isZero();
        assertThat(text).contains("lenet").contains("xgboost").contains("Sneaker");
    }

    @Test
    void thePrintedOipRequestAnswers() throws Exception {
        // curl -s -H 'Content-Type: application/json' -d @FILE \ URL
        String[] lines = thingToTry(3).split("\\\\\\s*");
        String file = lines[0].substring(lines[0].indexOf('@') + 1).trim();
        String url = lines[1].trim();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(ROOT.resolve(file))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"probabilities\"").contains("\"label\"").contains("lenet");
    }

    // ---- helpers ----

    /** The command or URL of thing {@code n} of "Three things to try" (the indented lines below its title). */
    private static String thingToTry(int n) {
        String rest = summary.substring(summary.indexOf("Three things to try:"));
        String[] items = rest.split("\n  \\d\\. ");
        String item = items[n];
        StringBuilder body = new StringBuilder();
        String[] lines = item.split("\n");
        for (int i = 1; i < lines.length && lines[i].startsWith("       "); i++) {
            body.append(lines[i].trim()).append('\n');
        }
        return body.toString().trim();
    }

    private static Process tools(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.fmnist.tools.ToolsMain"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("FMNIST_BUILD_T1");
        return pb.start();
    }

    private static String log() throws IOException {
        return Files.readString(LOG, StandardCharsets.UTF_8).replace('\r', '\n');
    }

    private static String freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return Integer.toString(s.getLocalPort());
        }
    }
}
