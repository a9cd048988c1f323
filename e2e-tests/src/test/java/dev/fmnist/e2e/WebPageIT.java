package dev.fmnist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.Json;
import dev.fmnist.common.messaging.ScoreRequest;
import dev.fmnist.common.messaging.Topics;
import dev.fmnist.testsupport.KafkaTestClient;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explainer's web page in a real browser (Chromium, headless, driven by Selenium through
 * chromedriver) against the running platform with real stored data: 60 labelled test images scored
 * by lenet and xgboost, 10 of them explained. The checks are what a person would look at; a
 * screenshot of every test is kept under {@code target/screenshots/}.
 * The upload runs last: its prediction would be the newest on the stream.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPageIT {
    private static final int IMAGES = 60;
    private static final int EXPLAINED = 10;
    private static final String PREFIX = "web-" + System.currentTimeMillis() + "-";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Platform platform;
    private static WebDriver browser;
    private static String base;

    @BeforeAll
    static void storeRealPredictionsAndOpenABrowser() throws Exception {
        platform = Platform.get();
        base = platform.explainer.url("");
        LabelledImages test = FashionMnist.load().test();
        try (KafkaTestClient kafka = new KafkaTestClient(platform.bootstrap)) {
            for (int i = 0; i < IMAGES; i++) {
                // spread over the test set so that the classes mix
                int row = i * 97;
                ScoreRequest request = new ScoreRequest(PREFIX + i, test.image(row), "all", i < EXPLAINED,
                        Instant.now(), test.label(row));
                kafka.sendAsync(Topics.IMAGES, request.id(), Json.write(request));
            }
            kafka.flush();
        }
        // lenet: lime + kernel_shap, xgboost: lime + kernel_shap + tree_shap
        Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(count("select count(*) from xai.prediction where request_id like ?")).isEqualTo(2L * IMAGES);
            assertThat(count("select count(*) from xai.explanation where status = 'succeeded' and request_id like ?"))
                    .isEqualTo(5L * EXPLAINED);
        });
        browser = Browser.chromium();
    }

    @AfterAll
    static void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @AfterEach
    void screenshot(TestInfo test) throws Exception {
        if (browser == null) {
            return;
        }
        Path dir = Platform.WORK_DIR.resolve("screenshots");
        Files.createDirectories(dir);
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(test.getTestMethod().orElseThrow().getName() + ".png"), png);
    }

    @Test
    @Order(1)
    void theStreamShowsRecentPredictionsWithTheirThumbnails() {
        open("/#/?model=lenet");
        List<WebElement> cards = waitFor(() -> {
            List<WebElement> c = browser.findElements(By.cssSelector("[data-testid=prediction-card]"));
            return c.size() >= 40 ? c : null;
        });
        // the newest predictions are this test's (lenet, newest first)
        assertThat(cards).allSatisfy(c -> assertThat(c.getDomAttribute("data-request-id")).startsWith(PREFIX));
        assertThat(cards).allSatisfy(c -> assertThat(c.getText()).contains("lenet"));
        assertThat(browser.findElements(By.cssSelector("[data-testid=thumbnail]"))).hasSameSizeAs(cards);
        // found again at each try: a card redrawn by the live refresh is a new element
        waitUntil(() -> browser.findElements(By.cssSelector("[data-testid=thumbnail]")).stream()
                .allMatch(WebPageIT::loaded));
        assertThat(browser.findElement(By.cssSelector("[data-testid=stream-status]")).getText())
                .contains(count("select count(*) from xai.prediction where model_name = 'lenet'") + " predictions match");
    }

    @Test
    @Order(2)
    void filteringOnWrongPredictionsShowsExactlyTheWrongOnes() {
        open("/#/?model=lenet");
        waitFor(() -> browser.findElements(By.cssSelector("[data-testid=prediction-card]")).isEmpty() ? null : true);
        new Select(browser.findElement(By.cssSelector("[data-testid=filter-correct]"))).selectByVisibleText("wrong");
        long wrong = count("select count(*) from xai.prediction where model_name = 'lenet' and label <> true_label");
        assertThat(wrong).as("a 2-epoch lenet gets some of 60+ images wrong").isPositive();
        waitUntil(() -> browser.getCurrentUrl().contains("correct=false")
                && browser.findElement(By.cssSelector("[data-testid=stream-status]")).getText()
                .startsWith(wrong + " predictions match"));
        List<WebElement> cards = browser.findElements(By.cssSelector("[data-testid=prediction-card]"));
        assertThat(cards).isNotEmpty().allSatisfy(c -> {
            assertThat(c.findElements(By.cssSelector(".bad"))).hasSize(1);
            assertThat(c.findElements(By.cssSelector(".ok"))).isEmpty();
        });
    }

    @Test
    @Order(3)
    void aPredictionShowsEachModelsLimeAndShapMapsSideBySideWithTheirAgreement() {
        open("/#/prediction/" + PREFIX + "0");
        waitUntil(() -> browser.findElements(By.cssSelector("[data-testid=model-section]")).size() == 2
                && browser.findElements(By.cssSelector("[data-testid=heatmap]")).size() == 5);
        waitUntil(() -> browser.findElements(By.cssSelector("[data-testid=heatmap]")).stream().allMatch(WebPageIT::loaded));
        assertThat(loaded(browser.findElement(By.cssSelector("[data-testid=request-image]")))).isTrue();

        WebElement lenet = section("lenet");
        assertThat(methods(lenet)).containsExactly("kernel_shap", "lime");
        WebElement xgboost = section("xgboost");
        assertThat(methods(xgboost)).containsExactly("kernel_shap", "lime", "tree_shap");
        // the probabilities are drawn by Chart.js in each section
        for (WebElement s : List.of(lenet, xgboost)) {
            WebElement canvas = s.findElement(By.cssSelector("[data-testid=probabilities-chart]"));
            assertThat(js("return !!Chart.getChart(arguments[0])", canvas)).isEqualTo(true);
            // one quality row per method, and the rank correlation of each pair of methods in [-1, 1]
            assertThat(s.findElements(By.cssSelector("[data-testid=quality] tr[data-method]")))
                    .hasSameSizeAs(s.findElements(By.cssSelector("[data-testid=heatmap]")));
        }
        assertThat(spearman(lenet)).hasSize(1);
        assertThat(spearman(xgboost)).hasSize(3);
        assertThat(Stream.concat(spearman(lenet).stream(), spearman(xgboost).stream()))
                .allSatisfy(rho -> assertThat(rho).isBetween(-1.0, 1.0));
        // a link from each section to its model's page
        assertThat(lenet.findElement(By.cssSelector("h2 a")).getDomAttribute("href")).startsWith("#/model/lenet/");
    }

    @Test
    @Order(4)
    void theModelPageShowsThePapersFiguresFromTheDatabase() throws Exception {
        open("/#/model/lenet/latest");
        WebElement accuracy = waitFor(() -> browser.findElements(By.cssSelector("[data-testid=test-accuracy]")).stream()
                .findFirst().orElse(null));
        double[] evaluation = testEvaluation("lenet");
        assertThat(accuracy.getText()).isEqualTo(String.format(Locale.ROOT, "%.2f %%", 100 * evaluation[0]));
        List<WebElement> rows = browser.findElements(By.cssSelector("[data-testid=confusion-matrix] tr"));
        assertThat(rows).hasSize(11);
        long cells = 0;
        for (WebElement td : browser.findElements(By.cssSelector("[data-testid=confusion-matrix] td"))) {
            cells += Long.parseLong(td.getText());
        }
        assertThat(cells).as("every test image in the confusion matrix").isEqualTo((long) evaluation[1]);
        for (String chart : List.of("per-class-chart", "epoch-chart")) {
            WebElement canvas = browser.findElement(By.cssSelector("[data-testid=" + chart + "]"));
            assertThat(js("return !!Chart.getChart(arguments[0])", canvas)).as(chart).isEqualTo(true);
        }
        assertThat(browser.findElement(By.cssSelector("[data-testid=live-accuracy]")).getText()).endsWith("%");
        // lenet has no importance map: the page leaves the panel out instead of printing "null"
        assertThat(browser.findElements(By.cssSelector("[data-testid=importance-map]"))).isEmpty();
        assertThat(browser.findElement(By.id("view")).getText()).doesNotContainPattern("\\bnull\\b");
        // the "API" link works in the packaged app, not only in dev mode
        String api = browser.findElement(By.linkText("API")).getDomAttribute("href");
        open(api);
        waitUntil(() -> !browser.findElements(By.id("swagger-ui")).isEmpty());

        open("/#/model/xgboost/latest");
        WebElement importance = waitFor(() -> browser.findElements(By.cssSelector("[data-testid=importance-map]"))
                .stream().findFirst().orElse(null));
        waitUntil(() -> loaded(importance));
    }

    @Test
    @Order(5)
    void anUploadedPhotoIsClassifiedAndItsExplanationsAppear() throws Exception {
        File photo = photoOfATrouser();
        open("/#/upload");
        WebElement file = waitFor(() -> browser.findElements(By.cssSelector("[data-testid=upload-file]")).stream()
                .findFirst().orElse(null));
        file.sendKeys(photo.getAbsolutePath());
        browser.findElement(By.cssSelector("[data-testid=upload-submit]")).click();
        waitUntil(() -> browser.getCurrentUrl().contains("#/prediction/upload-"));
        // scored by both models through Kafka, then explained: 2 + 3 maps, all drawn
        waiting(Duration.ofMinutes(3)).until(d ->
                d.findElements(By.cssSelector("[data-testid=heatmap]")).size() == 5
                        && d.findElements(By.cssSelector("[data-testid=heatmap]")).stream().allMatch(WebPageIT::loaded));
        assertThat(browser.findElements(By.cssSelector("[data-testid=model-section]"))).hasSize(2);
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("unknown (unlabelled traffic)");
    }

    // ---- helpers ----

    private static void open(String path) {
        browser.get(base + path);
    }

    private static <T> T waitFor(java.util.function.Supplier<T> found) {
        return waiting(WAIT).until(d -> found.get());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) {
        waiting(WAIT).until(d -> condition.getAsBoolean());
    }

    /** A wait that tries again when the page replaced an element between finding and reading it. */
    private static WebDriverWait waiting(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static boolean loaded(WebElement img) {
        return Browser.loaded(browser, img);
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static WebElement section(String model) {
        return browser.findElement(By.cssSelector("[data-testid=model-section][data-model=" + model + "]"));
    }

    private static List<String> methods(WebElement section) {
        return section.findElements(By.cssSelector("[data-testid=heatmap]")).stream()
                .map(e -> e.getDomAttribute("data-method")).toList();
    }

    private static List<Double> spearman(WebElement section) {
        return section.findElements(By.cssSelector("[data-testid=spearman]")).stream()
                .map(e -> Double.parseDouble(e.getText())).toList();
    }

    private static long count(String sql) {
        try {
            return platform.count(sql, PREFIX + "%");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** accuracy and images of the latest version's test evaluation in the registry */
    private static double[] testEvaluation(String model) throws Exception {
        try (Connection c = platform.db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT accuracy, images FROM registry.evaluation WHERE name = ? AND split = 'test' "
                        + "ORDER BY version DESC LIMIT 1")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a test evaluation of " + model).isTrue();
                return new double[] {rs.getDouble(1), rs.getInt(2)};
            }
        }
    }

    /** A test-set trouser as a photo would show it: dark on a light background, 224x224, written as PNG. */
    private static File photoOfATrouser() throws Exception {
        LabelledImages test = FashionMnist.load().test();
        int row = 0;
        while (test.label(row) != 1) {
            row++;
        }
        byte[] pixels = test.image(row);
        BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                int v = 255 - (pixels[(y / 8) * Pixels.SIDE + x / 8] & 0xFF);
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        File out = Platform.WORK_DIR.resolve("upload-trouser.png").toFile();
        ImageIO.write(img, "png", out);
        return out;
    }
}
