package dev.fmnist.runtime;

import dev.fmnist.runtime.scoring.LoadedModel;
import dev.fmnist.common.messaging.ModelNames;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The newest loaded version of each configured model, swapped without a pause: callers {@link #acquire} a
 * model for one call and {@link LoadedModel#release()} it after; {@link #install} swaps in a newer version
 * atomically, and the replaced one closes when its last call finishes. {@link LatestVersionLoader} fills it.
 */
public class LatestVersions {
    private static final Logger LOG = Logger.getLogger(LatestVersions.class);

    private final Map<String, AtomicReference<LoadedModel>> current = new LinkedHashMap<>();
    private final String setting;

    /**
     * @param names   the models to serve, each one of {@link ModelNames#KNOWN}
     * @param setting the configuration key they come from, named in errors
     */
    public LatestVersions(Collection<String> names, String setting) {
        for (String name : names) {
            String n = name.trim();
            if (!ModelNames.isKnown(n)) {
                throw new IllegalArgumentException(setting + " names '" + n + "', not one of " + ModelNames.KNOWN);
            }
            current.put(n, new AtomicReference<>());
        }
        if (current.isEmpty()) {
            throw new IllegalArgumentException(setting + " is empty: configure at least one of " + ModelNames.KNOWN);
        }
        this.setting = setting;
    }

    /** The configured model names, in configuration order. */
    public List<String> configured() {
        return List.copyOf(current.keySet());
    }

    public boolean isConfigured(String name) {
        return current.containsKey(name);
    }

    /**
     * The current version of a model with a reference taken for one call, or empty when the model
     * is not configured or has no loaded version. The caller must {@link LoadedModel#release()} it.
     */
    public Optional<LoadedModel> acquire(String name) {
        AtomicReference<LoadedModel> ref = current.get(name);
        if (ref == null) {
            return Optional.empty();
        }
        while (true) {
            LoadedModel model = ref.get();
            if (model == null) {
                return Optional.empty();
            }
            if (model.retain()) {
                return Optional.of(model);
            }
            // swapped and closed between get and retain: the reference now holds its successor
        }
    }

    /** The current version without taking a reference: for metadata and health, never for scoring. */
    public Optional<LoadedModel> peek(String name) {
        AtomicReference<LoadedModel> ref = current.get(name);
        return ref == null ? Optional.empty() : Optional.ofNullable(ref.get());
    }

    /** Loaded version of a model, if any. */
    public Optional<Integer> version(String name) {
        return peek(name).map(LoadedModel::version);
    }

    /**
     * Makes {@code model} the current version of its name if it is newer than the current one, and
     * releases the replaced version (closed once its calls in flight finish). A model that is not
     * newer is released (closed) at once and false is returned.
     */
    public boolean install(LoadedModel model) {
        AtomicReference<LoadedModel> ref = current.get(model.name());
        if (ref == null) {
            model.release();
            throw new IllegalArgumentException("model " + model.name() + " is not configured (" + setting + ")");
        }
        while (true) {
            LoadedModel old = ref.get();
            if (old != null && old.version() >= model.version()) {
                model.release();
                return false;
            }
            if (ref.compareAndSet(old, model)) {
                if (old == null) {
                    LOG.infof("Serving %s", model);
                } else {
                    LOG.infof("Serving %s, replacing %s (closed when its %d call(s) in flight finish)", model, old,
                            Math.max(0, old.references() - 1));
                    old.release();
                }
                return true;
            }
        }
    }

    /** Snapshot of what is loaded: name to current model (or null). */
    public Map<String, LoadedModel> snapshot() {
        Map<String, LoadedModel> out = new LinkedHashMap<>();
        current.forEach((name, ref) -> out.put(name, ref.get()));
        return out;
    }

    /** Releases every version (each closes once its calls in flight finish); nothing is served afterwards. */
    public void closeAll() {
        current.values().forEach(ref -> {
            LoadedModel model = ref.getAndSet(null);
            if (model != null) {
                model.release();
            }
        });
    }
}
