package dev.fmnist.common.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.jboss.logging.Logger;

/**
 * Finds the Fashion-MNIST files. Lookup order: the configured folder ({@code fmnist.data.dir} or
 * {@code FMNIST_DATA_DIR}); the Debian package {@code dataset-fashion-mnist}; the user cache
 * ({@code ~/.cache/fmnist}), filled by a download from the official location with a SHA-256 check
 * when the network allows.
 */
public final class DatasetLocator {
    public static final String DIR_PROPERTY = "fmnist.data.dir";
    public static final String DIR_ENV = "FMNIST_DATA_DIR";
    public static final String DOWNLOAD_URL_PROPERTY = "fmnist.data.download-url";
    public static final String DOWNLOAD_URL_ENV = "FMNIST_DATA_DOWNLOAD_URL";
    public static final String DOWNLOAD_ENABLED_PROPERTY = "fmnist.data.download";
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final URI OFFICIAL_URL = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    private static final Logger LOG = Logger.getLogger(DatasetLocator.class);

    private final Optional<Path> configuredDir;
    private final List<Path> systemDirs;
    private final Path cacheDir;
    private final Optional<URI> downloadBase;

    /**
     * @param configuredDir a folder the user named; when given it must hold the files
     * @param systemDirs    folders of system packages, tried in order
     * @param cacheDir      the user cache, where downloads go
     * @param downloadBase  the folder URL the four files are downloaded from; empty disables downloads
     */
    public DatasetLocator(Optional<Path> configuredDir, List<Path> systemDirs, Path cacheDir, Optional<URI> downloadBase) {
        this.configuredDir = configuredDir;
        this.systemDirs = List.copyOf(systemDirs);
        this.cacheDir = cacheDir;
        this.downloadBase = downloadBase.map(u -> u.toString().endsWith("/") ? u : URI.create(u + "/"));
    }

    /** The default lookup order, configured from system properties and environment variables. */
    public static DatasetLocator fromEnvironment() {
        Optional<Path> configured = setting(DIR_PROPERTY, DIR_ENV).map(Path::of);
        boolean download = !"false".equalsIgnoreCase(setting(DOWNLOAD_ENABLED_PROPERTY, "FMNIST_DATA_DOWNLOAD").orElse("true"));
        URI url = setting(DOWNLOAD_URL_PROPERTY, DOWNLOAD_URL_ENV).map(URI::create).orElse(OFFICIAL_URL);
        return new DatasetLocator(configured, List.of(DEBIAN_DIR), defaultCacheDir(),
                download ? Optional.of(url) : Optional.empty());
    }

    /** {@code $XDG_CACHE_HOME/fmnist}, else {@code ~/.cache/fmnist}. */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("fmnist");
    }

    /** A variant of this locator that looks in {@code dir} first, as when the user configured it. */
    public DatasetLocator withConfiguredDir(Path dir) {
        return new DatasetLocator(Optional.of(dir), systemDirs, cacheDir, downloadBase);
    }

    /** Returns a folder that holds all four files, downloading them into the cache if need be. */
    public Path locate() {
        if (configuredDir.isPresent()) {
            Path dir = configuredDir.get();
            List<String> missing = missingFiles(dir);
            if (missing.isEmpty()) {
                return dir;
            }
            throw new DatasetNotFoundException("Fashion-MNIST: the configured folder " + dir + " (" + DIR_PROPERTY
                    + " / " + DIR_ENV + ") lacks " + String.join(", ", missing) + ". " + howToGet());
        }
        List<String> looked = new ArrayList<>();
        for (Path dir : systemDirs) {
            List<String> missing = missingFiles(dir);
            if (missing.isEmpty()) {
                return dir;
            }
            looked.add(dir + " (lacks " + String.join(", ", missing) + ")");
        }
        List<String> missingInCache = missingFiles(cacheDir);
        if (missingInCache.isEmpty()) {
            return cacheDir;
        }
        looked.add(cacheDir + " (lacks " + String.join(", ", missingInCache) + ")");
        if (downloadBase.isPresent()) {
            try {
                download(downloadBase.get());
                return cacheDir;
            } catch (IOException | RuntimeException e) {
                looked.add("download from " + downloadBase.get() + " failed: " + cause(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                looked.add("download from " + downloadBase.get() + " was interrupted");
            }
        } else {
            looked.add("downloads are disabled (" + DOWNLOAD_ENABLED_PROPERTY + "=false)");
        }
        throw new DatasetNotFoundException("Fashion-MNIST not found. Looked in: " + String.join("; ", looked)
                + ". " + howToGet());
    }

    /**
     * The real cause of a failed download, in words: the JDK's network exceptions often carry no message
     * (a refused connection says "null"), so name the kind of failure and the innermost message.
     */
    static String cause(Throwable e) {
        // the outermost network exception names the failure; its cause may be as bare as ClosedChannelException
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String what = null;
            if (t instanceof java.net.UnknownHostException) {
                what = "host not found (no DNS or no network)";
            } else if (t instanceof java.net.ConnectException) {
                what = "connection refused or network unreachable";
            } else if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
                what = "timed out";
            } else if (t instanceof javax.net.ssl.SSLException) {
                what = "TLS handshake failed";
            }
            if (what != null) {
                return t.getMessage() == null || t.getMessage().isBlank() ? what : what + " (" + t.getMessage() + ")";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private static String howToGet() {
        return "Install the Debian package (apt-get install dataset-fashion-mnist), or set " + DIR_ENV
                + " to a folder with the four IDX files (" + fileNames() + "), or allow the download from "
                + OFFICIAL_URL + ".";
    }

    private static String fileNames() {
        List<String> names = new ArrayList<>();
        for (DatasetFile f : DatasetFile.values()) {
            names.add(f.fileName());
        }
        return String.join(", ", names);
    }

    private static List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (DatasetFile f : DatasetFile.values()) {
            if (!Files.isRegularFile(dir.resolve(f.fileName()))) {
                missing.add(f.fileName());
            }
        }
        return missing;
    }

    /** Downloads every missing file into the cache, each verified before it is moved into place. */
    void download(URI base) throws IOException, InterruptedException {
        Files.createDirectories(cacheDir);
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        for (DatasetFile f : DatasetFile.values()) {
            Path target = cacheDir.resolve(f.fileName());
            if (Files.isRegularFile(target)) {
                continue;
            }
            URI url = base.resolve(f.fileName());
            LOG.infof("Downloading %s to %s", url, target);
            Path tmp = Files.createTempFile(cacheDir, f.fileName(), ".part");
            try {
                HttpResponse<Path> response = http.send(
                        HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofFile(tmp));
                if (response.statusCode() != 200) {
                    throw new IOException(url + " answered HTTP " + response.statusCode());
                }
                verify(tmp, f, url);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Checks the SHA-256 and size of the uncompressed content of a downloaded file. */
    static void verify(Path gz, DatasetFile expected, URI source) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (InputStream in = new DigestInputStream(new GZIPInputStream(Files.newInputStream(gz), 1 << 16), sha)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                size += n;
            }
        } catch (IOException e) {
            throw new IOException(source + " is not a valid gzip file: " + e.getMessage(), e);
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (size != expected.uncompressedSize() || !actual.equals(expected.uncompressedSha256())) {
            throw new IOException(source + " failed verification: SHA-256 of its content is " + actual
                    + " (" + size + " bytes), expected " + expected.uncompressedSha256()
                    + " (" + expected.uncompressedSize() + " bytes)");
        }
    }

    private static Optional<String> setting(String property, String env) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
