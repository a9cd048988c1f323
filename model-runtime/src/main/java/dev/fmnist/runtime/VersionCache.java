package dev.fmnist.runtime;

import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.registry.ModelSource;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.ExecutionProvider;
import dev.fmnist.runtime.scoring.LoadedModel;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Model versions open by exact version: what a prediction names, read from the registry by name and version
 * (SHA-256 verified by the reader), warmed up, and kept in a small least-recently-used cache of
 * {@code capacity} versions. Every user holds a reference on its version ({@link LoadedModel}), so an evicted
 * version closes only when its last user finishes.
 *
 * <p>Loads run on the calling thread (never an event loop: the host's workers); two threads asking for the
 * same version wait for one load. A version that cannot be a model (corrupt artifact, unknown format, broken
 * contract) is remembered and never read again.
 */
public class VersionCache {
    private static final Logger LOG = Logger.getLogger(VersionCache.class);

    private final ModelSource reader;
    private final ModelOpener opener;
    private final int capacity;
    private final LoadEvents events;
    /** Access-ordered: the eldest entry is the least recently used. Guarded by {@code this}. */
    private final LinkedHashMap<ModelRef, LoadedModel> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<ModelRef, Object> loadLocks = new ConcurrentHashMap<>();
    private final Map<ModelRef, String> broken = new ConcurrentHashMap<>();

    /**
     * @param setting the configuration key of {@code capacity}, named in errors
     */
    public VersionCache(ModelSource reader, ModelOpener opener, int capacity, String setting, LoadEvents events) {
        if (capacity < 1) {
            throw new IllegalArgumentException(setting + " must be at least 1, got " + capacity);
        }
        this.reader = reader;
        this.opener = opener;
        this.capacity = capacity;
        this.events = events;
    }

    /**
     * Exactly version {@code ref}, with a reference taken for one explanation: the caller must
     * {@link LoadedModel#release()} it.
     *
     * @throws ModelLoadException when the version cannot be had (see {@link ModelLoadException#permanent()})
     */
    public LoadedModel acquire(ModelRef ref) {
        LoadedModel hit = retainCached(ref);
        if (hit != null) {
            return hit;
        }
        synchronized (loadLocks.computeIfAbsent(ref, r -> new Object())) {
            hit = retainCached(ref); // loaded by another thread meanwhile
            if (hit != null) {
                return hit;
            }
            return load(ref);
        }
    }

    /** Loads {@code ref} ahead of use unless it is open; false when it cannot be loaded (the reason is logged). */
    public boolean preload(ModelRef ref) {
        try {
            acquire(ref).release();
            return true;
        } catch (ModelLoadException e) {
            LOG.warnf("Cannot load %s ahead of use: %s", ref, e.getMessage());
            return false;
        }
    }

    /** Why a version can never be loaded, if it cannot. */
    public Optional<String> brokenReason(ModelRef ref) {
        return Optional.ofNullable(broken.get(ref));
    }

    /** The open versions, least recently used first. */
    public synchronized List<ModelRef> cached() {
        return new ArrayList<>(open.keySet());
    }

    private synchronized LoadedModel retainCached(ModelRef ref) {
        LoadedModel m = open.get(ref);
        return m != null && m.retain() ? m : null;
    }

    /** Reads, verifies, opens and warms up one version, adds it to the cache; returned with the caller's reference. */
    private LoadedModel load(ModelRef ref) {
        String why = broken.get(ref);
        if (why != null) {
            throw new ModelLoadException(why, true, null);
        }
        long t0 = System.nanoTime();
        Optional<StoredModel> stored;
        try {
            stored = reader.version(ref.name(), ref.version());
        } catch (SQLException e) {
            events.load(ref.name(), LoadEvents.REGISTRY_ERROR);
            throw new ModelLoadException("cannot read " + ref + " from the registry: " + e.getMessage(), false, e);
        } catch (RuntimeException e) { // ModelIntegrityException: the SHA-256 does not match
            throw remember(ref, ref + " cannot be loaded: " + e.getMessage(), e);
        }
        if (stored.isEmpty()) {
            events.load(ref.name(), LoadEvents.MISSING);
            throw new ModelLoadException("model " + ref + " is not in the registry", true, null);
        }
        StoredModel m = stored.get();
        try {
            LoadedModel loaded = opener.open(m);
            loaded.retain(); // the caller's reference, taken before another thread could evict it
            install(loaded);
            events.load(ref.name(), LoadEvents.LOADED);
            LOG.infof("Loaded %s (%d KiB, SHA-256 verified, %s) in %d ms", ref, m.artifact().length / 1024,
                    loaded.scorer().provider(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return loaded;
        } catch (ExecutionProvider.CudaUnavailableException e) {
            throw new ModelLoadException("cannot load " + ref + ": " + e.getMessage(), true, e);
        } catch (RuntimeException e) {
            throw remember(ref, ref + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    private ModelLoadException remember(ModelRef ref, String why, RuntimeException cause) {
        broken.put(ref, why);
        events.load(ref.name(), LoadEvents.FAILED);
        LOG.errorf(cause, "Cannot load %s (not tried again)", ref);
        return new ModelLoadException(why, true, cause);
    }

    /** Adds a freshly loaded version; evicts the least recently used ones beyond the capacity. */
    private synchronized void install(LoadedModel loaded) {
        LoadedModel previous = open.put(loaded.ref(), loaded);
        if (previous != null) {
            previous.release(); // cannot happen under the load lock, but never leak a native model
        }
        Iterator<Map.Entry<ModelRef, LoadedModel>> it = open.entrySet().iterator();
        while (open.size() > capacity && it.hasNext()) {
            Map.Entry<ModelRef, LoadedModel> eldest = it.next();
            it.remove();
            LOG.infof("Closing %s (least recently used of %d open versions; when its explanations finish)",
                    eldest.getKey(), capacity + 1);
            eldest.getValue().release();
        }
    }

    /** Releases every open version (each closes once its users finish). */
    public synchronized void closeAll() {
        open.values().forEach(LoadedModel::release);
        open.clear();
    }
}
