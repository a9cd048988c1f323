package dev.fmnist.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Headless Chromium driven by Selenium through chromedriver, as the browser tests of this module use it. */
final class Browser {
    private Browser() {
    }

    static WebDriver chromium() {
        String binary = System.getProperty("fmnist.chromium", onPath("chromium", "chromium-browser", "google-chrome")
                .orElseThrow(() -> new IllegalStateException("no Chromium on the PATH: install Debian's chromium and "
                        + "chromium-driver ('./fmnist test' does), or set -Dfmnist.chromium and -Dfmnist.chromedriver")));
        String driver = System.getProperty("fmnist.chromedriver", onPath("chromedriver")
                .orElseThrow(() -> new IllegalStateException("no chromedriver on the PATH: install chromium-driver")));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
        // no background networking: the machine's closed network refuses those connections, many at a time
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1100", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driver))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** The image has arrived and decoded: what a person sees, not only the tag. */
    static boolean loaded(WebDriver browser, WebElement img) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser)
                .executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", img));
    }

    private static Optional<String> onPath(String... names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p.toString());
                }
            }
        }
        return Optional.empty();
    }
}
