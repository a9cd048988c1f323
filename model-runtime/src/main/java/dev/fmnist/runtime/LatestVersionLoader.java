package dev.fmnist.runtime;

import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.runtime.registry.ModelSource;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.LoadedModel;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps the newest published version of each model of {@link LatestVersions} loaded, verified (SHA-256)
 * and warmed up; loads newer versions announced on {@code fmnist.models} and swaps them in (hot reload).
 *
 * <p>Readiness: ready once the registry was read, every configured model that has a published version is
 * loaded, and at least one model is loaded. A configured model with no published version yet does not
 * hold readiness back once another model serves, but while the registry has no version of any configured
 * model (or cannot be read) it stays not ready. Until every configured model is loaded the registry is
 * looked at again every {@code retryInterval}, afterwards every {@code pollInterval} (a safety net for
 * missed events). A newest version that can never be served (corrupt, not a model) is not tried again;
 * when nothing of that model is loaded, the newest older version that loads serves instead. All loading
 * runs on one thread of its own ({@code model-loader}), so versions of a model load one at a time and
 * never on a request thread.
 *
 * <p>Registry outage: what is loaded keeps serving and readiness does not change (the registry is read
 * only to find and load new versions). The outage is reported ({@link #registryOutage()}, and a
 * {@code registry} entry of {@link #describe()}) from the first failed read until the next successful one;
 * meanwhile the registry is looked at every {@code retryInterval}, so that a version published during the
 * outage, announced or not, is loaded soon after the registry is back (hot reload resumes).
 */
public class LatestVersionLoader {
    private static final Logger LOG = Logger.getLogger(LatestVersionLoader.class);

    /** Told the readiness after every registry check; returns true when it has nothing left to do for it. */
    @FunctionalInterface
    public interface ReadinessListener {
        boolean readiness(boolean ready);
    }

    /** The registry could not be read since {@code since} (the first failed read); {@code cause} is the last error. */
    public record RegistryOutage(Instant since, String cause) {
        @Override
        public String toString() {
            return "unreachable since " + since + " (" + cause + ")";
        }
    }

    private final LatestVersions holder;
    private final ModelSource reader;
    private final ModelOpener opener;
    private final Duration retryInterval;
    private final Duration pollInterval;
    private final LoadEvents events;
    /** Looked at on every check, not copied: a host may resolve its listeners lazily (CDI {@code Instance}). */
    private final Iterable<? extends ReadinessListener> listeners;
    private final SerialScheduler executor = new SerialScheduler("model-loader");
    /** Newest published version per model as last read (empty: none yet); absent until read once. */
    private final Map<String, Optional<Integer>> published = new ConcurrentHashMap<>();
    /** Why a model is not loaded, for health and logs. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** Versions that failed to load (corrupt, wrong format): not tried again. */
    private final Set<String> failedVersions = ConcurrentHashMap.newKeySet();
    private volatile String registryProblem = "the registry was not read yet";
    private volatile RegistryOutage outage;
    private volatile boolean ready;

    public LatestVersionLoader(LatestVersions holder, ModelSource reader, ModelOpener opener, Duration retryInterval,
                               Duration pollInterval, LoadEvents events, Iterable<? extends ReadinessListener> listeners) {
        this.holder = holder;
        this.reader = reader;
        this.opener = opener;
        this.retryInterval = retryInterval;
        this.pollInterval = pollInterval;
        this.events = events;
        this.listeners = listeners;
    }

    /** Starts loading on the loader's thread; returns at once. */
    public void start() {
        LOG.infof("Serving models %s on execution provider '%s' with %d thread(s) per call", holder.configured(),
                opener.options().provider().configValue(), opener.options().effectiveThreads());
        executor.repeat(this::tick);
    }

    /** Stops checking and loading; what is loaded stays in the holder. */
    public void stop() {
        executor.stop();
    }
    /** True once every configured model that has a published version is loaded, and at least one is. */
    public boolean ready() {
        return ready;
    }

    /** The registry outage in progress (no read succeeded since the first one that failed), if any. */
    public Optional<RegistryOutage> registryOutage() {
        return Optional.ofNullable(outage);
    }

    /** Per configured model: its state in words (for health checks). */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : holder.configured()) {
            Optional<LoadedModel> loaded = holder.peek(name);
            String problem = problems.get(name);
            if (loaded.isPresent()) {
                LoadedModel m = loaded.get();
                out.put(name, "version " + m.version() + " on " + m.scorer().provider()
                        + (problem == null ? "" : "; " + problem));
            } else if (problem != null) {
                out.put(name, problem);
            } else {
                out.put(name, published.containsKey(name) ? "loading" : "the registry was not read yet");
            }
        }
        RegistryOutage o = outage;
        if (o != null) {
            out.put("registry", o + (holder.configured().stream().anyMatch(n -> holder.version(n).isPresent())
                    ? "; serving the loaded versions, looking again every " + human(retryInterval) : ""));
        } else if (registryProblem != null) {
            out.put("registry", registryProblem);
        }
        return out;
    }

    /**
     * Loads a version announced on {@code fmnist.models} when it is newer than the loaded one;
     * completes when it serves (or was skipped). Never fails: problems are logged and the
     * periodic check tries again.
     */
    public CompletableFuture<Void> onPublished(ModelPublished event) {
        if (!holder.isConfigured(event.name())) {
            LOG.debugf("Ignoring %s: not in inference.models", event.ref());
            return CompletableFuture.completedFuture(null);
        }
        return executor.submit(() -> {
            try {
                published.merge(event.name(), Optional.of(event.version()),
                        (a, b) -> a.isEmpty() || b.orElse(0) > a.orElse(0) ? b : a);
                if (holder.version(event.name()).orElse(0) < event.version()) {
                    load(event.name(), event.version());
                }
                updateReadiness();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Loading %s announced on fmnist.models failed", event.ref());
            }
        });
    }

    /** One registry check; returns the delay until the next. */
    private Duration tick() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Checking the model registry failed");
        }
        boolean settled = updateReadiness();
        boolean complete = holder.configured().stream().allMatch(n -> holder.version(n).isPresent());
        return ready && settled && complete && outage == null && !behind() ? pollInterval : retryInterval;
    }

    /** True when a model has a published version newer than the loaded one that was not refused. */
    private boolean behind() {
        return holder.configured().stream().anyMatch(n -> published.getOrDefault(n, Optional.empty())
                .filter(v -> v > holder.version(n).orElse(0) && !failedVersions.contains(n + "/" + v)).isPresent());
    }

    /** A registry read succeeded: ends an outage (the state follows the latest read). */
    private void registryRead() {
        RegistryOutage o = outage;
        if (o != null) {
            outage = null;
            LOG.infof("Model registry read again after %d s", Duration.between(o.since(), Instant.now()).toSeconds());
        }
    }

    /** A registry read failed: starts (or goes on with) an outage, and makes the next check come soon. */
    private void registryFailed(String cause) {
        RegistryOutage o = outage;
        outage = new RegistryOutage(o == null ? Instant.now() : o.since(), cause);
        executor.checkWithin(retryInterval);
    }

    /** Reads the newest published version of each configured model and loads those newer than the loaded ones. */
    private void refresh() {
        String failure = null;
        for (String name : holder.configured()) {
            Optional<Integer> latest;
            try {
                latest = reader.latestVersion(name);
            } catch (java.sql.SQLException | RuntimeException e) {
                failure = "cannot read the registry: " + e.getMessage();
                registryFailed(failure);
                continue;
            }
            registryRead();
            published.put(name, latest);
            if (latest.isEmpty()) {
                problems.put(name, "no published version in the registry yet; looking again every "
                        + human(retryInterval));
                continue;
            }
            if (holder.version(name).orElse(0) < latest.get()) {
                load(name, latest.get());
            }
            if (holder.version(name).isEmpty() && failedVersions.contains(name + "/" + latest.get())) {
                loadNewestThatLoads(name, latest.get());
            }
        }
        if (failure != null && !failure.equals(registryProblem)) {
            LOG.warnf("Model registry: %s (trying again every %s)", failure, human(retryInterval));
        } else if (failure == null && registryProblem != null) {
            LOG.infof("Model registry read: published versions %s", published);
        }
        registryProblem = failure;
    }

    /**
     * The newest version cannot be served (its SHA-256 does not match its artifact, or it is no model) and no
     * version is loaded, as in an instance started after it was published: serves the newest older version that
     * loads, so that a corrupt publication never takes a restarted service down. The refusal stays in the health
     * report.
     */
    private void loadNewestThatLoads(String name, int refused) {
        String reason = problems.get(name);
        for (int v = refused - 1; v >= 1 && holder.version(name).isEmpty(); v--) {
            load(name, v);
        }
        if (holder.version(name).isPresent() && reason != null) {
            problems.put(name, reason);
            LOG.warnf("Serving %s/%d: %s", name, holder.version(name).get(), reason);
        }
    }

    /** Loads, verifies, warms and installs one version; records why when it cannot. */
    private void load(String name, int version) {
        String key = name + "/" + version;
        if (failedVersions.contains(key)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            Optional<StoredModel> stored = reader.version(name, version);
            registryRead();
            if (stored.isEmpty()) {
                problems.put(name, key + " is announced but not in the registry");
                return;
            }
            StoredModel m = stored.get();
            LoadedModel loaded = opener.open(m);
            if (holder.install(loaded)) {
                problems.remove(name);
                events.load(name, LoadEvents.LOADED);
                LOG.infof("Loaded %s (%d KiB, SHA-256 verified) and warmed up in %d ms", loaded, m.artifact().length / 1024,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        } catch (java.sql.SQLException e) {
            problems.put(name, "cannot read " + key + " from the registry: " + e.getMessage());
            registryFailed("cannot read " + key + ": " + e.getMessage());
            LOG.warnf("Cannot read %s from the registry: %s (trying again in %s)", key, e.getMessage(),
                    human(retryInterval));
        } catch (ExecutionProvider.CudaUnavailableException e) {
            problems.put(name, e.getMessage());
            LOG.errorf("Cannot load %s: %s", key, e.getMessage());
        } catch (RuntimeException e) {
            // corrupt (SHA-256 mismatch), not a model, or breaks the contract: never tried again
            failedVersions.add(key);
            problems.put(name, key + " cannot be served: " + e.getMessage());
            events.load(name, LoadEvents.FAILED);
            LOG.errorf(e, "Cannot serve %s", key);
        }
    }

    public static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Recomputes readiness and tells the listeners; true when they have nothing left to do. */
    private boolean updateReadiness() {
        List<String> names = holder.configured();
        boolean read = names.stream().allMatch(published::containsKey);
        boolean anyLoaded = names.stream().anyMatch(n -> holder.version(n).isPresent());
        boolean allPublishedLoaded = names.stream()
                .allMatch(n -> published.getOrDefault(n, Optional.empty()).isEmpty() || holder.version(n).isPresent()
                        || failedVersions.contains(n + "/" + published.get(n).get()));
        boolean now = read && anyLoaded && allPublishedLoaded;
        if (now != ready) {
            LOG.infof(now ? "Ready: %s" : "Not ready: %s", describe());
        }
        ready = now;
        boolean settled = true;
        for (ReadinessListener l : listeners) { // each is told every time, whatever the others answer
            settled &= l.readiness(now);
        }
        return settled;
    }
}
