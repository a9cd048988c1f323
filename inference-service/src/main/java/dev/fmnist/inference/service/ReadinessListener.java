package dev.fmnist.inference.service;

import dev.fmnist.runtime.LatestVersionLoader;

/**
 * Told the models' readiness after every registry check (e.g. to start consuming images once ready): the
 * runtime's listener as a bean type, so that every implementing bean is found and told.
 */
public interface ReadinessListener extends LatestVersionLoader.ReadinessListener {
}
