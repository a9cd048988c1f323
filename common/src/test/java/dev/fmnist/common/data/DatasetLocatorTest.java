package dev.fmnist.common.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup order and the download path, against a local HTTP server: no test needs the internet. */
class DatasetLocatorTest {

    @TempDir
    Path tmp;

    HttpServer server;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    Path realDir;

    @BeforeEach
    void startServer() throws IOException {
        realDir = DatasetLocator.fromEnvironment().locate();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/fmnist/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().substring("/fmnist/".length());
            byte[] body = served.get(name);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fmnist/");
    }

    void serveRealFiles() throws IOException {
        for (DatasetFile f : DatasetFile.values()) {
            served.put(f.fileName(), Files.readAllBytes(realDir.resolve(f.fileName())));
        }
    }

    @Test
    void downloadsVerifiesAndCachesWhenNothingIsInstalled() throws IOException {
        serveRealFiles();
        Path cache = tmp.resolve("cache");
        DatasetLocator locator = new DatasetLocator(Optional.empty(), List.of(tmp.resolve("no-debian")), cache,
                Optional.of(base()));

        assertThat(locator.locate()).isEqualTo(cache);
        assertThat(requests.get()).isEqualTo(4);
        assertThat(FashionMnist.load(cache).test().size()).isEqualTo(10_000);

        // second lookup is served from the cache
        assertThat(locator.locate()).isEqualTo(cache);
        assertThat(requests.get()).isEqualTo(4);
    }

    @Test
    void corruptDownloadIsRejectedAndNotLeftInTheCache() throws IOException {
        serveRealFiles();
        byte[] tampered = IdxReaderTest.gzip(IdxReaderTest.imagesIdx(IdxReader.IMAGES_MAGIC, 10, 28, 28));
        served.put(DatasetFile.TEST_IMAGES.fileName(), tampered);
        Path cache = tmp.resolve("cache");
        DatasetLocator locator = new DatasetLocator(Optional.empty(), List.of(), cache, Optional.of(base()));

        assertThatThrownBy(locator::locate)
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining("failed verification")
                .hasMessageContaining(DatasetFile.TEST_IMAGES.uncompressedSha256())
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
        assertThat(cache.resolve(DatasetFile.TEST_IMAGES.fileName())).doesNotExist();
        try (var files = Files.list(cache)) {
            assertThat(files.filter(p -> p.toString().endsWith(".part"))).isEmpty();
        }
    }

    @Test
    void systemPackageComesBeforeCacheAndDownload() {
        DatasetLocator locator = new DatasetLocator(Optional.empty(), List.of(tmp.resolve("absent"), realDir),
                tmp.resolve("cache"), Optional.of(base()));

        assertThat(locator.locate()).isEqualTo(realDir);
        assertThat(requests.get()).isZero();
    }

    @Test
    void configuredFolderWinsAndMustBeComplete() throws IOException {
        Path configured = Files.createDirectories(tmp.resolve("mine"));
        Files.copy(realDir.resolve(DatasetFile.TEST_LABELS.fileName()), configured.resolve(DatasetFile.TEST_LABELS.fileName()));
        DatasetLocator locator = new DatasetLocator(Optional.of(configured), List.of(realDir), tmp.resolve("cache"),
                Optional.of(base()));

        assertThatThrownBy(locator::locate)
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining(configured.toString())
                .hasMessageContaining("FMNIST_DATA_DIR")
                .hasMessageContaining(DatasetFile.TRAIN_IMAGES.fileName());
    }

    @Test
    void nothingFoundSaysWhereItLookedAndHowToGetTheFiles() {
        Path cache = tmp.resolve("cache");
        DatasetLocator locator = new DatasetLocator(Optional.empty(), List.of(tmp.resolve("sys")), cache, Optional.empty());

        assertThatThrownBy(locator::locate)
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining(tmp.resolve("sys").toString())
                .hasMessageContaining(cache.toString())
                .hasMessageContaining("downloads are disabled")
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    @Test
    void unreachableServerIsReportedWithTheUrl() {
        served.clear(); // every file answers 404
        DatasetLocator locator = new DatasetLocator(Optional.empty(), List.of(), tmp.resolve("cache"), Optional.of(base()));

        assertThatThrownBy(locator::locate)
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining(base().toString());
    }

    @Test
    void refusedConnectionNamesItsRealCauseNotNull() throws IOException {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // free once closed: nothing listens there
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/");
        DatasetLocator locator = new DatasetLocator(Optional.empty(), List.of(), tmp.resolve("cache"), Optional.of(nowhere));

        assertThatThrownBy(locator::locate)
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining("download from " + nowhere + " failed: connection refused")
                .hasMessageNotContaining("null");
    }

    /** The fmnist script downloads and verifies the files before any build, from its own copy of the digests. */
    @Test
    void setupScriptVerifiesTheSameDigests() throws IOException {
        Path script = Path.of("..", "scripts", "setup.sh");
        String text = Files.readString(script);
        for (DatasetFile f : DatasetFile.values()) {
            assertThat(text).as("scripts/setup.sh DATASET_FILES").contains(f.fileName() + ":" + f.uncompressedSha256());
        }
    }
}
