package dev.fmnist.inference.service;

/** Told the models' readiness after every registry check (e.g. to start consuming images once ready). */
public interface ReadinessListener {
    /** @return true when nothing is left to do for this readiness (false: call again at the next check) */
    boolean readiness(boolean ready);
}
