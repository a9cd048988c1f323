package dev.fmnist.runtime;

/**
 * What the runtime tells its host about loads (the services count them as Micrometer metrics, e.g.
 * {@code inference.model.loads{model,outcome}}). Called on the loading thread; must not block.
 */
@FunctionalInterface
public interface LoadEvents {
    /** Outcome of a load: a version was opened and warmed up. */
    String LOADED = "loaded";
    /** Outcome of a load: the version can never be served (corrupt, not a model, broken contract). */
    String FAILED = "failed";
    /** Outcome of a load: the registry could not be read (tried again later). */
    String REGISTRY_ERROR = "registry-error";
    /** Outcome of a load: the version is not in the registry. */
    String MISSING = "missing";

    LoadEvents NONE = (model, outcome) -> { };

    void load(String model, String outcome);
}
