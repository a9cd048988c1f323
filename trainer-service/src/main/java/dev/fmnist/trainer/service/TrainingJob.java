package dev.fmnist.trainer.service;

import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.domain.TrainingListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A training request and its live state: what {@code GET /trainings/{id}} shows. Thread-safe. */
public final class TrainingJob implements TrainingListener {

    public enum State { QUEUED, RUNNING, SUCCEEDED, FAILED }

    /** A model this job registered. */
    public record Registered(String name, int version, double testAccuracy, String folder) {
    }

    /** An immutable view for JSON. */
    public record Status(UUID id, State state, List<String> models, String currentModel, String stage, long done,
                         long total, Map<String, List<EpochMetrics>> epochs, List<Registered> registered, String error,
                         Instant submittedAt, Instant startedAt, Instant finishedAt) {
    }

    private final UUID id = UUID.randomUUID();
    private final TrainingRequest request;
    private final Instant submittedAt = Instant.now();
    private State state = State.QUEUED;
    private String currentModel;
    private String stage;
    private long done;
    private long total;
    private final Map<String, List<EpochMetrics>> epochs = new LinkedHashMap<>();
    private final List<Registered> registered = new ArrayList<>();
    private String error;
    private Instant startedAt;
    private Instant finishedAt;

    public TrainingJob(TrainingRequest request) {
        this.request = request;
    }

    public UUID id() {
        return id;
    }

    public TrainingRequest request() {
        return request;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized List<Registered> registered() {
        return List.copyOf(registered);
    }

    synchronized void started() {
        state = State.RUNNING;
        startedAt = Instant.now();
    }

    synchronized void succeeded() {
        state = State.SUCCEEDED;
        finishedAt = Instant.now();
    }

    synchronized void failed(String message) {
        state = State.FAILED;
        error = message;
        finishedAt = Instant.now();
    }

    synchronized void registered(Registered r) {
        registered.add(r);
    }

    @Override
    public synchronized void stage(String model, String stage) {
        this.currentModel = model;
        this.stage = stage;
        this.done = 0;
        this.total = 0;
    }

    @Override
    public synchronized void progress(String model, long done, long total) {
        this.currentModel = model;
        this.done = done;
        this.total = total;
    }

    @Override
    public synchronized void epoch(String model, EpochMetrics metrics) {
        epochs.computeIfAbsent(model, k -> new ArrayList<>()).add(metrics);
    }

    public synchronized Status status() {
        Map<String, List<EpochMetrics>> copy = new LinkedHashMap<>();
        epochs.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return new Status(id, state, request.models(), currentModel, stage, done, total, copy, List.copyOf(registered),
                error, submittedAt, startedAt, finishedAt);
    }
}
