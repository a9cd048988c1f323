package dev.fmnist.explainer.service;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.common.messaging.Prediction;
import dev.fmnist.explainer.config.ExplainerConfig;
import dev.fmnist.xai.ExplainerSettings;
import dev.fmnist.xai.OutputSpace;
import dev.fmnist.xai.StableHash;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What gets explained, and what is shed under lag. Plain Java (unit-tested without Quarkus).
 *
 * <ul>
 * <li>A prediction with {@code explain: true} is <b>requested</b>: always explained, never shed.</li>
 * <li>Any other prediction is <b>sampled</b> when the stable hash of its request id, as a number in
 *     [0, 1), is below {@code explainer.sample-rate}: deterministic, so a replay samples the same
 *     requests, and every model of a sampled request is explained (their maps stay comparable).</li>
 * <li>Lag is the age of the prediction, {@code now - scoredAt}, when its explanation is about to
 *     start. A sampled explanation older than {@code explainer.max-lag} is shed.</li>
 * <li>Every method of a model explains one quantity, the model's {@link OutputSpace}
 *     ({@code explainer.output-space.<model>}, else {@code explainer.default-output-space}), so its maps can
 *     be compared. {@code tree_shap} is exact only in {@code log_odds}: a model configured with it in
 *     {@code probability} is rejected here, at start-up, rather than failing every explanation.</li>
 * </ul>
 *
 * <p>Why age and not records behind: the age is known for every record without asking the broker,
 * it is what a reader of the explanations cares about (how stale they are), it covers the time a
 * record waits in this service's own work queue as well as on the topic, and it does not depend on
 * how many partitions or replicas share the topic. Its cost is a dependency on the clocks of the
 * inference and explainer hosts agreeing (NTP keeps them within far less than the default of two
 * minutes).
 */
public final class ExplanationPolicy {

    /** Why a prediction is explained (the {@code reason} column), or that it is not. */
    public enum Reason {
        REQUESTED, SAMPLED, NOT_SAMPLED;

        public String column() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final double sampleRate;
    private final Duration maxLag;
    private final Map<String, List<String>> methodsByModel;
    private final Map<String, OutputSpace> spaceByModel;
    private final OutputSpace defaultSpace;
    private final Map<String, Double> shapBudgetFactorByModel;

    /** A policy whose models all explain in {@link ExplainerSettings#DEFAULT_OUTPUT_SPACE}. */
    public ExplanationPolicy(double sampleRate, Duration maxLag, Map<String, List<String>> methods,
                             List<String> defaultMethods) {
        this(sampleRate, maxLag, methods, defaultMethods, Map.of(), ExplainerSettings.DEFAULT_OUTPUT_SPACE.column());
    }

    public ExplanationPolicy(double sampleRate, Duration maxLag, Map<String, List<String>> methods,
                             List<String> defaultMethods, Map<String, String> outputSpaces, String defaultOutputSpace) {
        this(sampleRate, maxLag, methods, defaultMethods, outputSpaces, defaultOutputSpace, Map.of());
    }

    public ExplanationPolicy(double sampleRate, Duration maxLag, Map<String, List<String>> methods,
                             List<String> defaultMethods, Map<String, String> outputSpaces, String defaultOutputSpace,
                             Map<String, Double> shapBudgetFactors) {
        if (!(sampleRate >= 0 && sampleRate <= 1)) {
            throw new IllegalArgumentException("explainer.sample-rate must be in [0, 1], got " + sampleRate);
        }
        if (maxLag == null || maxLag.isNegative()) {
            throw new IllegalArgumentException("explainer.max-lag must be zero or more, got " + maxLag);
        }
        this.sampleRate = sampleRate;
        this.maxLag = maxLag;
        Map<String, List<String>> byModel = new LinkedHashMap<>();
        for (String model : ModelNames.KNOWN) {
            byModel.put(model, checked("explainer.default-methods", defaultMethods));
        }
        methods.forEach((model, list) -> {
            if (!ModelNames.isKnown(model)) {
                throw new IllegalArgumentException("explainer.methods." + model + ": unknown model '" + model
                        + "', expected one of " + ModelNames.KNOWN);
            }
            byModel.put(model, checked("explainer.methods." + model, list));
        });
        this.methodsByModel = Map.copyOf(byModel);
        Map<String, OutputSpace> spaces = new LinkedHashMap<>();
        OutputSpace fallback = space("explainer.default-output-space", defaultOutputSpace);
        for (String model : ModelNames.KNOWN) {
            spaces.put(model, fallback);
        }
        (outputSpaces == null ? Map.<String, String>of() : outputSpaces).forEach((model, name) -> {
            if (!ModelNames.isKnown(model)) {
                throw new IllegalArgumentException("explainer.output-space." + model + ": unknown model '" + model
                        + "', expected one of " + ModelNames.KNOWN);
            }
            spaces.put(model, space("explainer.output-space." + model, name));
        });
        byModel.forEach((model, list) -> {
            if (list.contains(ExplanationStored.TREE_SHAP) && spaces.get(model) != OutputSpace.LOG_ODDS) {
                throw new IllegalArgumentException("explainer.methods." + model + " names tree_shap, which is exact in "
                        + "log_odds space only (XGBoost's centred margins), but the output space of model '" + model
                        + "' is " + spaces.get(model).column() + " (explainer.output-space." + model
                        + " or explainer.default-output-space): set it to log_odds, or drop tree_shap");
            }
        });
        this.spaceByModel = Map.copyOf(spaces);
        this.defaultSpace = fallback;
        Map<String, Double> factors = new LinkedHashMap<>();
        (shapBudgetFactors == null ? Map.<String, Double>of() : shapBudgetFactors).forEach((model, factor) -> {
            if (!ModelNames.isKnown(model)) {
                throw new IllegalArgumentException("explainer.kernel-shap.budget-factor." + model + ": unknown model '"
                        + model + "', expected one of " + ModelNames.KNOWN);
            }
            if (factor == null || !(factor > 0) || factor.isInfinite()) {
                throw new IllegalArgumentException("explainer.kernel-shap.budget-factor." + model
                        + " must be a number above 0 (the budget's multiple), got " + factor);
            }
            factors.put(model, factor);
        });
        this.shapBudgetFactorByModel = Map.copyOf(factors);
    }

    private static OutputSpace space(String key, String name) {
        try {
            return OutputSpace.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " must be probability or log_odds, got '" + name + "'");
        }
    }

    public static ExplanationPolicy of(ExplainerConfig config) {
        return new ExplanationPolicy(config.sampleRate(), config.maxLag(), config.methods(), config.defaultMethods(),
                config.outputSpace(), config.defaultOutputSpace(), config.kernelShap().budgetFactor());
    }

    private static List<String> checked(String key, List<String> names) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : names == null ? List.<String>of() : names) {
            String n = name.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (!ExplanationStored.METHODS.contains(n)) {
                throw new IllegalArgumentException(key + ": unknown method '" + n + "', expected some of "
                        + ExplanationStored.METHODS);
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    /** Whether the prediction is explained, and why. */
    public Reason reason(Prediction prediction) {
        if (prediction.explain()) {
            return Reason.REQUESTED;
        }
        return sampled(prediction.requestId()) ? Reason.SAMPLED : Reason.NOT_SAMPLED;
    }

    /** Whether a request is in the sample: {@code unit(hash(requestId)) < sample-rate}. */
    public boolean sampled(String requestId) {
        return sampled(requestId, sampleRate);
    }

    public static boolean sampled(String requestId, double sampleRate) {
        return StableHash.unit(requestId) < sampleRate;
    }

    /** The methods configured for a model (empty for a model that is not explained). */
    public List<String> methods(String model) {
        return methodsByModel.getOrDefault(model, List.of());
    }

    /** What every method of {@code model} explains (the default space for a model this policy does not know). */
    public OutputSpace outputSpace(String model) {
        return spaceByModel.getOrDefault(model, defaultSpace);
    }

    /** The factor on KernelSHAP's budget for {@code model} (1 for a model without an entry). */
    public double shapBudgetFactor(String model) {
        return shapBudgetFactorByModel.getOrDefault(model, 1.0);
    }

    /** The models with a KernelSHAP budget factor, and their factors. */
    public Map<String, Double> shapBudgetFactors() {
        return shapBudgetFactorByModel;
    }

    /** Every model with its output space. */
    public Map<String, OutputSpace> outputSpaces() {
        return spaceByModel;
    }

    /** Every model with its methods. */
    public Map<String, List<String>> methods() {
        return methodsByModel;
    }

    /** The models that have at least one method. */
    public List<String> explainedModels() {
        return methodsByModel.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    /** Age of a prediction at {@code now} (never negative, whatever the clocks say). */
    public static Duration lag(Instant scoredAt, Instant now) {
        Duration d = Duration.between(scoredAt, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Whether an explanation about to start is shed: sampled, and its prediction older than max-lag. */
    public boolean shed(Reason reason, Instant scoredAt, Instant now) {
        return reason == Reason.SAMPLED && lag(scoredAt, now).compareTo(maxLag) > 0;
    }

    public double sampleRate() {
        return sampleRate;
    }

    public Duration maxLag() {
        return maxLag;
    }
}
