package dev.fmnist.explainer.service;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.ExplanationStatus;
import dev.fmnist.runtime.ModelLoadException;
import dev.fmnist.runtime.scoring.LoadedModel;
import dev.fmnist.xai.Attribution;
import dev.fmnist.xai.AttributionMethod;
import dev.fmnist.xai.DeadlineExceededException;
import dev.fmnist.xai.OutputSpace;
import dev.fmnist.xai.StableHash;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Makes one explanation (the workers of {@link ExplanationWorkers} call it, never the event loop or the
 * Kafka consumer's thread): exactly the model version the prediction names ({@link ScorerCache}), the
 * seed a stable hash of the request id and the method. A permanent problem (the method throws or
 * returns nonsense, the version is not in the registry or is corrupt, the deadline passed) is a
 * result with an error, stored as a failed explanation; a passing one (the registry cannot be read
 * within {@code explainer.db-retry.timeout}) is thrown, and the item is tried again later. LIME and KernelSHAP
 * of a model explained by both share their model evaluations ({@link ExplanationPairs}).
 */
@Startup // a configured method without an implementation fails start-up, not the first item
@ApplicationScoped
public class ExplanationService {
    private static final Logger LOG = Logger.getLogger(ExplanationService.class);
    /** Longest error text stored. */
    static final int MAX_ERROR_LENGTH = 2000;

    /** What an explanation gave: an attribution, or the error why not; {@code nanos} it took. */
    public record Result(Attribution attribution, String error, long nanos) {
        public ExplanationStatus status() {
            return attribution == null ? ExplanationStatus.FAILED : ExplanationStatus.SUCCEEDED;
        }
    }

    private final ExplanationPolicy policy;
    private final AttributionMethods methods;
    private final ScorerCache models;
    private final DatabaseRetry retry;
    private final ExplanationPairs pairs;

    public ExplanationService(ExplanationPolicy policy, AttributionMethods methods, ScorerCache models,
                              DatabaseRetry retry, ExplanationPairs pairs) {
        this.policy = policy;
        this.methods = methods;
        this.models = models;
        this.retry = retry;
        this.pairs = pairs;
        methods.requireAll(policy);
    }

    /**
     * Explains {@code key}'s prediction ({@code pixels}, predicted {@code label}) in the model's output space
     * ({@link ExplanationPolicy#outputSpace}).
     *
     * @throws ModelLoadException a passing registry problem, past {@code explainer.db-retry.timeout}
     * @throws InterruptedException the thread was interrupted (shutdown)
     */
    public Result explain(ExplanationKey key, byte[] pixels, int label) throws InterruptedException {
        Attribution attribution = null;
        String error = null;
        long t0 = System.nanoTime();
        LoadedModel loaded = null;
        ModelRef model = key.model();
        try {
            AttributionMethod method = methods.get(key.method()).orElseThrow(() -> new IllegalStateException(
                    "no implementation of method '" + key.method() + "' is installed"));
            loaded = retry.call("loading " + model, () -> models.acquire(model));
            if (!method.supports(loaded.scorer())) {
                error = key.method() + " cannot explain " + model + " (" + loaded.scorer().format() + ")";
            } else {
                float[] image = Pixels.toModelInput(pixels);
                OutputSpace space = policy.outputSpace(model.name());
                double factor = policy.shapBudgetFactor(model.name());
                Attribution a = pairs.covers(policy.methods(model.name()), key.method())
                        ? pairs.explain(key.requestId(), model, key.method(), loaded.scorer(), image, label, space, factor)
                        : method.explain(loaded.scorer(), image, label, StableHash.seed(key.requestId(), key.method()),
                        space, factor);
                String problem = problem(a, key.method(), label);
                if (problem == null) {
                    attribution = a;
                } else {
                    error = key.method() + " returned an invalid attribution: " + problem;
                }
            }
        } catch (ModelLoadException e) {
            if (!e.permanent()) {
                throw e; // the registry could not be read within explainer.db-retry.timeout: tried again later
            }
            error = e.getMessage();
        } catch (SQLException e) {
            throw new IllegalStateException(e); // not thrown by acquire, only declared by the retry
        } catch (DeadlineExceededException e) {
            error = e.getMessage(); // logged by the worker, without a stack trace
        } catch (RuntimeException e) {
            LOG.warnf(e, "Explaining %s failed", key);
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            if (loaded != null) {
                loaded.release();
            }
        }
        if (error != null && error.length() > MAX_ERROR_LENGTH) {
            error = error.substring(0, MAX_ERROR_LENGTH);
        }
        return new Result(attribution, error, System.nanoTime() - t0);
    }

    /** What is wrong with an attribution, or null when it keeps the contract. */
    static String problem(Attribution a, String method, int targetClass) {
        if (a == null) {
            return "none was returned";
        }
        if (!method.equals(a.method())) {
            return "method is '" + a.method() + "', expected '" + method + "'";
        }
        if (a.targetClass() != targetClass) {
            return "target class is " + a.targetClass() + ", expected " + targetClass;
        }
        if (a.attributions() == null || a.attributions().length != Pixels.COUNT) {
            return "attributions must hold " + Pixels.COUNT + " values";
        }
        if (a.segments() == null || a.segments().length != Pixels.COUNT) {
            return "segments must hold " + Pixels.COUNT + " values";
        }
        if (a.segmentWeights() == null || a.segmentWeights().length == 0) {
            return "segment weights are missing";
        }
        for (short s : a.segments()) {
            if (s < 0 || s >= a.segmentWeights().length) {
                return "segment id " + s + " is outside 0.." + (a.segmentWeights().length - 1);
            }
        }
        if (!finite(a.attributions()) || !finite(a.segmentWeights())
                || (a.deletionCurve() != null && !finite(a.deletionCurve()))) {
            return "it holds a value that is not finite";
        }
        return null;
    }

    private static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
